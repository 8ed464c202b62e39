package org.alignedmmap.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs in a child JVM (see {@link SearchFaultTest}): maps a 64 MiB file of zeros, warms every
 * kernel's every search up until C2 has compiled it (the vectorized block loops included),
 * truncates the file under the mapping and searches the lost pages with each. Prints one line
 * per kernel and search, {@code touch <kernel> <search>: threw <class>} or {@code returned}, then
 * {@code ALIVE}; a crash shows as the child's exit code.
 */
public final class SearchFaultChild {
    private static final int MIB = 1 << 20;
    private static final int[] NEEDLE_LENGTHS = {1, 2, 8, 9, 32, 40};

    private SearchFaultChild() {}

    private interface Search {
        long run(MemorySegment s, long from, long to);
    }

    private record Named(String name, Search search) {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long length = 64L * MIB;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[1]), length - 1);
        }
        List<SearchKernel> kernels = new ArrayList<>(List.of(SwarSearch.INSTANCE));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            kernels.add(VectorSearch.create());
        }
        List<Named> searches = new ArrayList<>();
        for (SearchKernel kernel : kernels) {
            for (int n : NEEDLE_LENGTHS) {
                byte[] absent = new byte[n];
                java.util.Arrays.fill(absent, (byte) 7);
                String k = kernel.describe();
                if (n == 1) {
                    searches.add(new Named(k + " find 1", (s, f, t) -> kernel.indexOf(s, f, t, (byte) 7)));
                    searches.add(new Named(k + " rfind 1", (s, f, t) -> kernel.lastIndexOf(s, f, t, (byte) 7)));
                } else {
                    searches.add(new Named(k + " find " + n, (s, f, t) -> kernel.indexOf(s, f, t, new Needle(absent))));
                    searches.add(new Named(k + " rfind " + n, (s, f, t) -> kernel.lastIndexOf(s, f, t,
                            new Needle(absent))));
                }
            }
        }
        try (Arena arena = Arena.ofShared(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            MemorySegment s = ch.map(FileChannel.MapMode.READ_WRITE, 0, length, arena);
            for (int round = 0; round < 400; round++) {
                for (Named search : searches) {
                    long from = (round % 8) * 4096L;
                    search.search().run(s, from, from + 64 * 1024);
                }
            }
            ch.truncate(4096);
            for (Named search : searches) {
                try {
                    search.search().run(s, 32L * MIB, 33L * MIB);
                    System.out.println("touch " + search.name() + ": returned");
                } catch (Throwable t) {
                    System.out.println("touch " + search.name() + ": threw " + t.getClass().getName());
                }
            }
        }
        Files.deleteIfExists(file);
        System.out.println("ALIVE");
    }
}
