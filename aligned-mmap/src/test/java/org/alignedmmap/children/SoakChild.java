package org.alignedmmap.children;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.alignedmmap.Aligned;
import org.alignedmmap.Mmap;
import org.alignedmmap.SystemAlignment;
import org.alignedmmap.testing.ProcStatus;
import org.alignedmmap.testing.ProcessFootprint;
import org.alignedmmap.testing.TestFiles;

/**
 * Runs in a child JVM with a fixed, pre-touched heap (see {@link MmapSoakTest}), so that the
 * resident set does not move with the Java heap: map/close cycles, aligned allocations, and
 * mappings left to the garbage collector. Prints {@code <phase> <counter> <value>} lines with
 * the process's descriptors, mappings, address space and resident set before and after each
 * phase, then {@code ALIVE}.
 */
public final class SoakChild {
    private static final long PAGE = SystemAlignment.pageSize();

    /**
     * Regions of /proc/self/maps a phase may leave beyond where it started: the JVM's own (a
     * thread stack, a malloc arena); one per cycle would be thousands.
     */
    public static final int REGION_TOLERANCE = 20;

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int cycles = Integer.parseInt(args[1]);
        int allocations = Integer.parseInt(args[2]);
        int forgotten = Integer.parseInt(args[3]);
        Files.write(file, TestFiles.randomBytes(100_000, 5));

        // Warm up every path (class loading, JIT), then measure from a settled state.
        mapAndClose(file, 2_000);
        allocate(4_000);
        settle();

        Snapshot before = Snapshot.take(file);
        long start = System.nanoTime();
        mapAndClose(file, cycles);
        Snapshot after = Snapshot.take(file);
        report("mapClose", before, after, System.nanoTime() - start);

        before = Snapshot.take(file);
        start = System.nanoTime();
        allocate(allocations);
        after = Snapshot.take(file);
        report("allocate", before, after, System.nanoTime() - start);

        before = Snapshot.take(file);
        start = System.nanoTime();
        forget(file, forgotten);
        Snapshot leftUnreachable = Snapshot.take(file);
        System.out.println("forget mappedWhileUnreachable " + leftUnreachable.regions);
        // The cleaners run after a collection finds the arenas unreachable.
        Snapshot collected = leftUnreachable;
        for (int i = 0; i < 200 && (collected.fileDescriptors > 0 || collected.regions > before.regions
                + REGION_TOLERANCE); i++) {
            System.gc();
            Thread.sleep(50);
            collected = Snapshot.take(file);
        }
        report("forget", before, collected, System.nanoTime() - start);

        Files.delete(file);
        System.out.println("ALIVE");
    }

    /**
     * {@code cycles} map/close cycles of each kind: a file, anonymous memory, and 2 MiB-aligned
     * mappings (a file and anonymous memory in turn).
     */
    private static void mapAndClose(Path file, int cycles) throws IOException {
        for (int i = 0; i < cycles; i++) {
            try (Mmap m = Mmap.options().map(file)) {
                m.put(i % 100_000, (byte) i); // one page resident per cycle, gone with the mapping
            }
            try (Mmap m = Mmap.options().anonymous(100_000)) {
                m.put(i % 100_000, (byte) i);
            }
            try (Mmap m = (i & 1) == 0 ? Mmap.options().align(2L << 20).map(file)
                    : Mmap.options().align(2L << 20).anonymous(100_000)) {
                m.put(i % 100_000, (byte) i);
            }
        }
    }

    /**
     * Rotates over both of Aligned's strategies: mapped (page alignment or more, or 128 KiB or
     * more) and the JDK's allocator (small), touching every allocation.
     */
    private static void allocate(int allocations) {
        long[][] kinds = {{16 * 1024, 64}, {100_000, 2L << 20}, {PAGE, PAGE}, {200_000, 8}};
        for (int i = 0; i < allocations; i += 4) {
            try (Arena arena = Arena.ofConfined()) {
                for (long[] kind : kinds) {
                    MemorySegment segment = Aligned.allocate(arena, kind[0], kind[1]);
                    segment.set(ValueLayout.JAVA_BYTE, kind[0] - 1, (byte) 1);
                }
            }
        }
    }

    /** Mappings never closed: the default arena, an auto arena, and Aligned in auto arenas. */
    private static void forget(Path file, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            Mmap m = switch (i % 3) {
                case 0 -> Mmap.options().align(2L << 20).map(file);
                case 1 -> Mmap.options().arena(Arena.ofAuto()).anonymous(100_000);
                default -> null;
            };
            if (m != null) {
                m.put(0, (byte) 1);
            } else {
                Aligned.allocate(Arena.ofAuto(), 100_000, 2L << 20).set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            }
        }
    }

    private static void settle() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
    }

    private static void report(String phase, Snapshot before, Snapshot after, long nanos) {
        System.out.println(phase + " millis " + nanos / 1_000_000);
        System.out.println(phase + " descriptorsBefore " + before.descriptors);
        System.out.println(phase + " descriptorsAfter " + after.descriptors);
        System.out.println(phase + " fileDescriptorsAfter " + after.fileDescriptors);
        System.out.println(phase + " fileMappingsAfter " + after.fileMappings);
        System.out.println(phase + " regionsBefore " + before.regions);
        System.out.println(phase + " regionsAfter " + after.regions);
        System.out.println(phase + " vmSizeKbBefore " + before.vmSizeKb);
        System.out.println(phase + " vmSizeKbAfter " + after.vmSizeKb);
        System.out.println(phase + " rssKbBefore " + before.rssKb);
        System.out.println(phase + " rssKbAfter " + after.rssKb);
    }

    /** What the process holds: descriptors, mappings, address space, resident memory. */
    private record Snapshot(long descriptors, long fileDescriptors, long fileMappings, long regions, long vmSizeKb,
                            long rssKb) {
        public static Snapshot take(Path file) throws IOException {
            ProcessFootprint footprint = ProcessFootprint.take();
            return new Snapshot(footprint.descriptorCount(), footprint.descriptorsOf(file), footprint.mappingsOf(file),
                    footprint.maps().regions().size(), ProcStatus.kilobytes("VmSize"), ProcStatus.kilobytes("VmRSS"));
        }
    }

    private SoakChild() {}
}
