package org.alignedmmap.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.alignedmmap.AlignedArena;
import org.alignedmmap.HugePages;
import org.alignedmmap.SystemAlignment;

/**
 * {@link AlignedArena} against the JDK's {@code Arena.ofConfined()} and {@code Arena.ofShared()}
 * in the way arenas are used: many allocations in one arena, then one close. Times are per
 * allocation and include the arena's creation and close, shared by the batch. Also the
 * resident memory once every buffer is written, allocation plus a first full write (the
 * kernel's page faults against the JDK's {@code malloc} and {@code memset}, in a batch and with
 * one arena per buffer, where the JDK recycles the same warm memory every time), two threads on
 * one shared arena, and what a short-lived arena costs. Row names start with the size, which the
 * chart's labels keep: "+ write" means every byte written once after the allocation.
 */
final class ArenaSuite {
    static final String SECTION = "Aligned arena";
    static final String JDK = "Arena.ofConfined";
    static final String JDK_SHARED = "Arena.ofShared";
    private static final String OURS = "AlignedArena.ofConfined";
    private static final String OURS_THP = "AlignedArena, transparent huge pages";
    private static final String OURS_SHARED = "AlignedArena.ofShared";

    private final Settings settings;
    private final Progress progress;

    ArenaSuite(Settings settings, Progress progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /** One size and alignment, and how many allocations one arena makes in a batch. */
    private record Case(long size, long align, int count) {
        String label() {
            return Compare.size(size) + " at " + Compare.size(align);
        }
    }

    List<Row> run() throws Exception {
        progress.section(SECTION);
        long page = SystemAlignment.pageSize();
        boolean quick = settings.quick();
        Case line = new Case(64, 64, quick ? 20_000 : 100_000);
        Case pages = new Case(page, page, quick ? 4_000 : 20_000);
        Case large = new Case(1L << 20, 2L << 20, quick ? 64 : 256);
        List<Row> rows = new ArrayList<>();

        rows.add(batch(line, Row.Goal.ratio(JDK, 3, ">= 3x faster than Arena.ofConfined")));
        rows.add(batch(pages, Row.Goal.ratio(JDK, 10, ">= 10x faster than Arena.ofConfined")));
        rows.add(batch(large, Row.Goal.ratio(JDK, 100, ">= 100x faster than Arena.ofConfined")));
        rows.add(residentWhenWritten(new Case(page, page, quick ? 4_096 : 16_384)));
        rows.add(batchWithWrite(line));
        rows.add(batchWithWrite(pages));
        rows.add(batchWithWrite(large));
        rows.add(oneArenaPerBuffer(pages));
        rows.add(twoThreads(line));
        // What jextract-style code does per native call: a short-lived arena for a small argument.
        rows.add(shortLived(new Case(32, 8, line.count)));
        return rows;
    }

    /** N allocations in one arena, then close: the time per allocation. */
    private Row batch(Case c, Row.Goal goal) throws Exception {
        progress.step("arena: " + c.count + " allocations of " + c.label());
        Map<String, Double> ours = Map.of(OURS, perAllocation(c, AlignedArena::ofConfined, false));
        Map<String, Double> peers = Map.of(JDK, perAllocation(c, Arena::ofConfined, false));
        return new Row(SECTION, c.label() + ", " + c.count + " in one arena", "ns/allocation", false, ours, peers,
                goal);
    }

    /** The same, writing every byte of every buffer once: page faults against malloc + memset + write. */
    private Row batchWithWrite(Case c) throws Exception {
        progress.step("arena: " + c.count + " allocations + first full write of " + c.label());
        Map<String, Double> ours = new LinkedHashMap<>();
        ours.put(OURS, perAllocation(c, AlignedArena::ofConfined, true));
        if (c.size >= (1L << 20) && HugePages.TRANSPARENT.isAvailable()) {
            ours.put(OURS_THP, perAllocation(c, () -> AlignedArena.builder().transparentHugePages(true).confined(),
                    true));
        }
        Map<String, Double> peers = Map.of(JDK, perAllocation(c, Arena::ofConfined, true));
        return new Row(SECTION, c.label() + " + write, " + c.count + " in one arena", "ns/allocation",
                false, ours, peers, null);
    }

    private double perAllocation(Case c, Supplier<Arena> kind, boolean write) throws Exception {
        double seconds = Timer.bestSeconds(settings.runs(), () -> {
            try (Arena arena = kind.get()) {
                for (int i = 0; i < c.count; i++) {
                    MemorySegment segment = arena.allocate(c.size, c.align);
                    if (write) {
                        segment.fill((byte) 1);
                    }
                    Sink.consume(segment.address());
                }
            }
        });
        return seconds * 1e9 / c.count;
    }

    /**
     * Growth of the resident set while N buffers live, each written in full, in a fresh JVM per
     * contender ({@link ArenaFootprint}): the smallest of three, since other threads of a JVM
     * only ever add to it.
     */
    private Row residentWhenWritten(Case c) throws Exception {
        progress.step("arena: resident memory of " + c.count + " written buffers of " + c.label() + " (fresh JVMs)");
        double ours = Double.MAX_VALUE;
        double jdk = Double.MAX_VALUE;
        for (int attempt = 0; attempt < 3; attempt++) {
            ours = Math.min(ours, ArenaFootprint.measure(true, c.count, c.size, c.align) / (double) (1 << 20));
            jdk = Math.min(jdk, ArenaFootprint.measure(false, c.count, c.size, c.align) / (double) (1 << 20));
        }
        return new Row(SECTION, "resident: " + c.count + " x " + c.label() + ", written", "MiB", false,
                Map.of(OURS, ours), Map.of(JDK, jdk),
                Row.Goal.ratio(JDK, 1 / 0.6, "<= 0.6x the resident memory of Arena.ofConfined"));
    }

    /** One buffer per arena, written in full: the JDK's malloc hands back the same warm memory each time. */
    private Row oneArenaPerBuffer(Case c) throws Exception {
        progress.step("arena: one arena per buffer, allocate + first full write of " + c.label());
        int calls = c.count / 4;
        Map<String, Double> ours = Map.of(OURS, perCall(calls, () -> {
            try (Arena arena = AlignedArena.ofConfined()) {
                arena.allocate(c.size, c.align).fill((byte) 1);
            }
        }));
        Map<String, Double> peers = Map.of(JDK, perCall(calls, () -> {
            try (Arena arena = Arena.ofConfined()) {
                arena.allocate(c.size, c.align).fill((byte) 1);
            }
        }));
        return new Row(SECTION, c.label() + " + write, one arena each",
                "ns/call", false, ours, peers, null);
    }

    /** The cost of an arena that makes one small allocation (from malloc here too: no chunk yet). */
    private Row shortLived(Case c) throws Exception {
        progress.step("arena: open + one allocation of " + c.label() + " + close");
        int calls = c.count / 4;
        Map<String, Double> ours = Map.of(OURS, perCall(calls, () -> {
            try (Arena arena = AlignedArena.ofConfined()) {
                Sink.consume(arena.allocate(c.size, c.align).address());
            }
        }));
        Map<String, Double> peers = Map.of(JDK, perCall(calls, () -> {
            try (Arena arena = Arena.ofConfined()) {
                Sink.consume(arena.allocate(c.size, c.align).address());
            }
        }));
        return new Row(SECTION, c.label() + ", open + allocate + close", "ns/call", false, ours, peers, null);
    }

    private double perCall(int calls, Timer.Action action) throws Exception {
        double seconds = Timer.bestSeconds(settings.runs(), () -> {
            for (int i = 0; i < calls; i++) {
                action.run();
            }
        });
        return seconds * 1e9 / calls;
    }

    /** Two threads allocating from one shared arena at once: wall time per allocation of both. */
    private Row twoThreads(Case c) throws Exception {
        progress.step("arena: two threads, " + c.count + " allocations of " + c.label() + " into one shared arena");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Map<String, Double> ours = Map.of(OURS_SHARED, sharedPerAllocation(c, AlignedArena::ofShared, pool));
            Map<String, Double> peers = Map.of(JDK_SHARED, sharedPerAllocation(c, Arena::ofShared, pool));
            return new Row(SECTION, c.label() + ", 2 threads, one shared arena",
                    "ns/allocation", false, ours, peers, null);
        } finally {
            pool.shutdownNow();
        }
    }

    private double sharedPerAllocation(Case c, Supplier<Arena> kind, ExecutorService pool) throws Exception {
        double seconds = Timer.bestSeconds(settings.runs(), () -> {
            try (Arena arena = kind.get()) {
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<?>> halves = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    halves.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < c.count / 2; i++) {
                            Sink.consume(arena.allocate(c.size, c.align).address());
                        }
                        return null;
                    }));
                }
                for (Future<?> half : halves) {
                    half.get();
                }
            }
        });
        return seconds * 1e9 / c.count;
    }
}
