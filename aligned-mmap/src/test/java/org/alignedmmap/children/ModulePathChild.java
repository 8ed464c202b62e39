package org.alignedmmap.children;

import org.alignedmmap.Mmap;

/**
 * Runs on the class path of a child JVM whose module path holds the library jar (see {@code
 * ModuleIT}): prints the module the library was loaded as, and maps and searches some memory
 * through it.
 */
public final class ModulePathChild {
    private ModulePathChild() {}

    public static void main(String[] args) throws Exception {
        Module library = Mmap.class.getModule();
        System.out.println("module " + library.getName());
        System.out.println("native access " + library.isNativeAccessEnabled());
        try (Mmap m = Mmap.options().align(1L << 21).anonymous(1 << 20)) {
            m.put(12_345, (byte) 42);
            System.out.println("aligned " + (m.address() % (1L << 21) == 0));
            System.out.println("found " + m.find(new byte[] {42}));
        }
        System.out.println("ALIVE");
    }
}
