package org.alignedmmap.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.alignedmmap.Aligned;
import org.alignedmmap.SystemAlignment;

/**
 * Aligned allocation: {@code Aligned.allocate} against the JDK's {@code Arena.allocate(size,
 * align)} and the usual workaround {@code allocateDirect(n + a).alignedSlice(a)}: time per
 * allocate-and-free, extra virtual memory and resident memory while one allocation lives, and
 * allocation plus a first full write (which is where the kernel's lazily zeroed pages pay their
 * cost).
 */
final class AllocationSuite {
    static final String SECTION = "Aligned allocation";
    static final String ARENA = "Arena.allocate";
    static final String SLICE = "allocateDirect + alignedSlice";
    private static final String OURS = "Aligned.allocate";

    private final Settings settings;
    private final Progress progress;

    AllocationSuite(Settings settings, Progress progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /** One size and alignment to compare. */
    private record Case(long size, long align) {
        String label() {
            return Compare.size(size) + " at " + Compare.size(align);
        }

        boolean pageOrMore() {
            return align >= SystemAlignment.pageSize();
        }
    }

    List<Row> run() throws Exception {
        long large = settings.largeAllocation();
        List<Case> cases = List.of(new Case(64, 64), new Case(SystemAlignment.pageSize(), SystemAlignment.pageSize()),
                new Case(1L << 20, 2L << 20), new Case(large, large));
        List<Row> rows = new ArrayList<>();
        for (Case c : cases) {
            progress.step("allocate " + c.label());
            int calls = calls(c);
            Map<String, Double> ours = Map.of(OURS, perCall(calls, () -> {
                try (Arena arena = Arena.ofConfined()) {
                    Sink.consume(Aligned.allocate(arena, c.size, c.align).address());
                }
            }));
            Map<String, Double> peers = new LinkedHashMap<>();
            peers.put(ARENA, perCall(calls, () -> {
                try (Arena arena = Arena.ofConfined()) {
                    Sink.consume(arena.allocate(c.size, c.align).address());
                }
            }));
            peers.put(SLICE, sliceFits(c) ? perCall(calls, () -> Sink.consume(alignedSlice(c))) : Double.NaN);
            rows.add(new Row(SECTION, "allocate + free, " + c.label(), "us/call", false, ours, peers,
                    c.pageOrMore() ? Row.Goal.ratio(ARENA, 100, ">= 100x faster than Arena.allocate")
                            : Row.Goal.ratio(ARENA, 1.0, "no slower than Arena.allocate")));

            Map<String, double[]> footprint = new LinkedHashMap<>();
            footprint.put(OURS, footprint(arena -> Aligned.allocate(arena, c.size, c.align)));
            footprint.put(ARENA, footprint(arena -> arena.allocate(c.size, c.align)));
            if (c.pageOrMore()) {
                rows.add(new Row(SECTION, "extra virtual memory, " + c.label(), "MiB", false,
                        Map.of(OURS, footprint.get(OURS)[0]), Map.of(ARENA, footprint.get(ARENA)[0]),
                        Row.Goal.atMost(0.5, "zero extra virtual memory")));
                rows.add(new Row(SECTION, "resident memory before any write, " + c.label(), "MiB", false,
                        Map.of(OURS, footprint.get(OURS)[1]), Map.of(ARENA, footprint.get(ARENA)[1]),
                        Row.Goal.atMost(0.5, "RSS equal to the pages touched (none yet)")));

                progress.step("allocate + write every byte, " + c.label());
                int writes = Math.max(1, Math.min(calls, (int) ((256L << 20) / Math.max(c.size, 1))));
                Map<String, Double> oursWrite = Map.of(OURS, perCall(writes, () -> {
                    try (Arena arena = Arena.ofConfined()) {
                        Aligned.allocate(arena, c.size, c.align).fill((byte) 1);
                    }
                }));
                Map<String, Double> peersWrite = new LinkedHashMap<>();
                peersWrite.put(ARENA, perCall(writes, () -> {
                    try (Arena arena = Arena.ofConfined()) {
                        arena.allocate(c.size, c.align).fill((byte) 1);
                    }
                }));
                rows.add(new Row(SECTION, "allocate + first full write + free, " + c.label(), "us/call", false,
                        oursWrite,
                        peersWrite, null));
            }
        }
        rows.addAll(new ArenaSuite(settings, progress).run());
        return rows;
    }

    /** Few calls for the slow giants, many for the cheap ones. */
    private int calls(Case c) {
        if (c.size >= (256L << 20)) {
            return settings.quick() ? 2 : 3;
        }
        if (c.size >= (1L << 20)) {
            return settings.quick() ? 50 : 200;
        }
        return settings.quick() ? 20_000 : 200_000;
    }

    /** The JDK cannot give back direct memory before GC; capped so the run never waits for it. */
    private boolean sliceFits(Case c) {
        return c.size + c.align <= (64L << 20);
    }

    /** The usual workaround: over-allocate, then slice from the first aligned byte. */
    private static ByteBuffer alignedSlice(Case c) {
        ByteBuffer whole = ByteBuffer.allocateDirect((int) (c.size + c.align));
        int skip = (int) ((c.align - whole.alignmentOffset(0, (int) c.align)) % c.align);
        return whole.slice(skip, (int) c.size);
    }

    /** Best average microseconds per call over a few batches of {@code calls}. */
    private double perCall(int calls, Timer.Action action) throws Exception {
        double seconds = Timer.bestSeconds(settings.runs(), () -> {
            for (int i = 0; i < calls; i++) {
                action.run();
            }
        });
        return seconds * 1e6 / calls;
    }

    private interface Allocation {
        MemorySegment allocate(Arena arena);
    }

    /** Extra virtual memory beyond the requested size, and resident growth, in MiB. */
    private static double[] footprint(Allocation allocation) {
        try (Arena arena = Arena.ofConfined()) {
            long virtualBefore = ProcessMemory.virtual();
            long residentBefore = ProcessMemory.resident();
            MemorySegment segment = allocation.allocate(arena);
            long virtualAfter = ProcessMemory.virtual();
            long residentAfter = ProcessMemory.resident();
            double mib = 1 << 20;
            long requested = Math.max(segment.byteSize(), 1);
            double extraVirtual = Math.max(0, virtualAfter - virtualBefore - Aligned.alignUp(requested,
                    SystemAlignment.pageSize()));
            return new double[] {extraVirtual / mib, Math.max(0, residentAfter - residentBefore) / mib};
        }
    }
}
