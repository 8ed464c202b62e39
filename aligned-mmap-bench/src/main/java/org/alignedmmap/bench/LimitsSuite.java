package org.alignedmmap.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.alignedmmap.Advice;
import org.alignedmmap.Mmap;
import org.alignedmmap.MmapConstants;
import org.alignedmmap.SystemAlignment;

/**
 * What the machine can do at best, so that every other figure reads as a fraction of it: memory
 * bandwidth (copy and read of memory that is already mapped and resident) and the cost of a
 * page fault per page size.
 */
final class LimitsSuite {
    static final String SECTION = "Machine limits";
    static final String COPY_LIMIT = "memory copy limit";

    private final Settings settings;
    private final Progress progress;
    private double copyLimit = Double.NaN;

    LimitsSuite(Settings settings, Progress progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /** The copy bandwidth measured by {@link #run()}, in GB/s. */
    double copyLimit() {
        return copyLimit;
    }

    List<Row> run() throws Exception {
        List<Row> rows = new ArrayList<>();
        long half = Math.min(settings.textSize(), 512L << 20);
        progress.step("memory bandwidth over " + Compare.size(2 * half) + " of resident memory");
        try (Arena arena = Arena.ofConfined()) {
            // Arena.allocate zeroes: every page is resident before timing starts.
            MemorySegment region = arena.allocate(2 * half, SystemAlignment.pageSize());
            copyLimit = Timer.gbPerSecond(half, Timer.bestSeconds(settings.runs(),
                    () -> MemorySegment.copy(region, 0, region, half, half)));
            rows.add(new Row(SECTION, "copy, resident memory", "GB/s", true, Map.of("MemorySegment.copy", copyLimit),
                    Map.of(), null));
            double read = Timer.gbPerSecond(2 * half, Timer.bestSeconds(settings.runs(),
                    () -> Sink.consume(region.mismatch(region.asSlice(0, 2 * half)))));
            rows.add(new Row(SECTION, "read, resident memory (mismatch of a region with itself)", "GB/s", true,
                    Map.of("MemorySegment.mismatch", read), Map.of(), null));
        }
        long touch = settings.touchSize();
        long hugePage = SystemAlignment.transparentHugePageSize().orElse(2L << 20);
        progress.step("page fault cost, first touch of " + Compare.size(touch));
        Map<String, Double> perPage = new LinkedHashMap<>();
        double small = firstTouchSeconds(touch, false);
        perPage.put(Compare.size(SystemAlignment.pageSize()) + " pages, ns per page",
                small * 1e9 / (touch / SystemAlignment.pageSize()));
        double huge = firstTouchSeconds(touch, true);
        perPage.put(Compare.size(hugePage) + " THP, ns per page", huge * 1e9 / (touch / hugePage));
        rows.add(new Row(SECTION, "first-touch cost per page (fault + zeroing)", "ns/page", false, perPage, Map.of(),
                null));
        Map<String, Double> rate = new LinkedHashMap<>();
        rate.put(Compare.size(SystemAlignment.pageSize()) + " pages", Timer.gbPerSecond(touch, small));
        rate.put(Compare.size(hugePage) + " THP", Timer.gbPerSecond(touch, huge));
        rows.add(new Row(SECTION, "first touch of " + Compare.size(touch) + " anonymous memory", "GB/s", true, rate,
                Map.of(), null));
        return rows;
    }

    /** Best time to write every byte of fresh private anonymous memory once; mapping time excluded. */
    private double firstTouchSeconds(long size, boolean hugePages) throws Exception {
        double best = Double.MAX_VALUE;
        for (int run = 0; run < Math.max(2, settings.runs()); run++) {
            long align = hugePages ? SystemAlignment.transparentHugePageSize().orElse(SystemAlignment.pageSize()) : 1;
            try (Mmap m = Mmap.options().flags(MmapConstants.MAP_PRIVATE).align(align).anonymous(size)) {
                m.advise(hugePages ? Advice.HUGEPAGE : Advice.NOHUGEPAGE);
                MemorySegment s = m.segment();
                long start = System.nanoTime();
                s.fill((byte) 1);
                best = Math.min(best, (System.nanoTime() - start) / 1e9);
            }
        }
        return best;
    }
}
