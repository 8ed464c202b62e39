package org.alignedmmap.children;

import org.alignedmmap.Mmap;

/**
 * Runs in a child JVM (see {@code SearchKernelChoiceIT}): searches three times through the public
 * API, then prints the kernel the library chose ({@code kernel <description>}) and {@code ALIVE}.
 * On the module path the JVM must export {@code org.alignedmmap.internal} to the unnamed module
 * for the last step; the library's choice does not depend on it.
 */
public final class SearchKernelChoiceChild {
    private SearchKernelChoiceChild() {}

    public static void main(String[] args) throws Exception {
        try (Mmap m = Mmap.options().anonymous(1 << 20)) {
            m.put(70_000, (byte) 42);
            System.out.println("found " + m.find(new byte[] {42}) + " " + m.rfind(new byte[] {42})
                    + " " + m.find(new byte[] {42, 0, 0, 0, 0, 0, 0, 0}));
        }
        System.out.println("kernel " + org.alignedmmap.internal.ByteSearch.kernel());
        System.out.println("ALIVE");
    }
}
