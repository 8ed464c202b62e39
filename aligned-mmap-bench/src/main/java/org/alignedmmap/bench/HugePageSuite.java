package org.alignedmmap.bench;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.alignedmmap.Aligned;
import org.alignedmmap.HugePages;
import org.alignedmmap.Mmap;
import org.alignedmmap.MmapConstants;

/**
 * Huge pages, the payoff of alignment: first touch, random reads and sequential reads of memory
 * in transparent huge pages against the JDK's allocations (4 KiB pages), on the same sizes.
 *
 * <p>On a VM whose balloon hands free memory back to the host, the first huge pages a process
 * touches are much slower than later ones; the warm-up runs of {@link Timer} recycle memory
 * first, so these figures describe a process that has run for a while.
 */
final class HugePageSuite {
    static final String SECTION = "Huge pages";
    static final String ARENA = "Arena.allocate";
    static final String DIRECT = "ByteBuffer.allocateDirect";
    static final String SMALL = "Mmap, 4 KiB pages";

    private final Settings settings;
    private final Progress progress;

    HugePageSuite(Settings settings, Progress progress) {
        this.settings = settings;
        this.progress = progress;
    }

    List<Row> run() throws Exception {
        List<Row> rows = new ArrayList<>();
        if (!HugePages.TRANSPARENT.isAvailable()) {
            throw new IllegalStateException("transparent huge pages are not available here: "
                    + HugePages.TRANSPARENT.unavailableReason().orElse("?"));
        }
        long pmd = HugePages.TRANSPARENT.pageSize();
        long size = settings.touchSize();
        int runs = settings.runs();
        String label = Compare.size(size);

        progress.step("allocate + write every byte of " + label);
        Map<String, Double> ours = new LinkedHashMap<>();
        ours.put("Mmap, TRANSPARENT", Timer.gbPerSecond(size, Timer.bestSeconds(runs, () -> {
            try (Mmap m = Mmap.options().hugePages(HugePages.TRANSPARENT).confined(true).anonymous(size)) {
                m.segment().fill((byte) 1);
            }
        })));
        ours.put("Aligned.allocate, TRANSPARENT", Timer.gbPerSecond(size, Timer.bestSeconds(runs, () -> {
            try (Arena arena = Arena.ofConfined()) {
                Aligned.allocate(arena, size, pmd, HugePages.TRANSPARENT).fill((byte) 1);
            }
        })));
        Map<String, Double> peers = new LinkedHashMap<>();
        peers.put(ARENA, Timer.gbPerSecond(size, Timer.bestSeconds(runs, () -> {
            try (Arena arena = Arena.ofConfined()) {
                arena.allocate(size, pmd).fill((byte) 1);
            }
        })));
        peers.put(DIRECT, size <= Integer.MAX_VALUE ? Timer.gbPerSecond(size, Timer.bestSeconds(runs, () -> {
            ByteBuffer buffer = ByteBuffer.allocateDirect((int) size);
            MemorySegment.ofBuffer(buffer).fill((byte) 1);
        }, HugePageSuite::collectDirectBuffers)) : Double.NaN);
        peers.put(SMALL, Timer.gbPerSecond(size, Timer.bestSeconds(runs, () -> {
            try (Mmap m = Mmap.options().flags(MmapConstants.MAP_PRIVATE).confined(true).anonymous(size)) {
                m.advise(org.alignedmmap.Advice.NOHUGEPAGE);
                m.segment().fill((byte) 1);
            }
        })));
        rows.add(new Row(SECTION, "allocate + first write of " + label, "GB/s", true, ours, peers,
                Row.Goal.ratio(ARENA, 4, ">= 4x faster than the JDK")));

        long span = settings.randomSpan();
        int reads = settings.randomCount() * 4;
        progress.step("random 8-byte reads over " + Compare.size(span));
        ours = new LinkedHashMap<>();
        peers = new LinkedHashMap<>();
        try (Mmap m = Mmap.options().hugePages(HugePages.TRANSPARENT).anonymous(span)) {
            m.segment().fill((byte) 1);
            ours.put("Mmap, TRANSPARENT", randomReadNanos(m.segment(), reads, runs));
            progress.step("sequential read of " + Compare.size(span));
            double sequential = Timer.gbPerSecond(span, Timer.bestSeconds(runs, () -> Sink.consume(sum(m.segment()))));
            try (Mmap small = Mmap.options().flags(MmapConstants.MAP_PRIVATE).anonymous(span)) {
                small.advise(org.alignedmmap.Advice.NOHUGEPAGE);
                small.segment().fill((byte) 1);
                peers.put(SMALL, randomReadNanos(small.segment(), reads, runs));
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment jdk = arena.allocate(span, 8);
                jdk.fill((byte) 1);
                peers.put(ARENA, randomReadNanos(jdk, reads, runs));
                double jdkSequential = Timer.gbPerSecond(span, Timer.bestSeconds(runs, () -> Sink.consume(sum(jdk))));
                rows.add(new Row(SECTION, "random 8-byte reads over " + Compare.size(span), "ns/op", false, ours, peers,
                        Row.Goal.ratio(ARENA, 1.8, ">= 1.8x faster than the JDK")));
                rows.add(new Row(SECTION, "sequential read of " + Compare.size(span), "GB/s", true,
                        Map.of("Mmap, TRANSPARENT", sequential), Map.of(ARENA, jdkSequential),
                        Row.Goal.ratio(ARENA, 1.0, "no slower than the JDK")));
            }
        }
        return rows;
    }

    /** Independent reads at pseudo-random 8-byte-aligned offsets, made on the fly (no offset array to miss on). */
    static double randomReadNanos(MemorySegment segment, int reads, int runs) throws Exception {
        long mask = Long.highestOneBit(segment.byteSize()) - 1;
        double seconds = Timer.bestSeconds(runs, () -> {
            long x = 0x9E3779B97F4A7C15L;
            long sum = 0;
            for (int i = 0; i < reads; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                sum += segment.get(JAVA_LONG_UNALIGNED, (x & mask) & ~7L);
            }
            Sink.consume(sum);
        });
        return seconds * 1e9 / reads;
    }

    /** Direct buffers are freed by the garbage collector only: let it run, untimed. */
    private static void collectDirectBuffers() throws InterruptedException {
        System.gc();
        Thread.sleep(50);
    }

    private static long sum(MemorySegment segment) {
        long sum = 0;
        long size = segment.byteSize();
        for (long at = 0; at + 32 <= size; at += 32) {
            sum += segment.get(JAVA_LONG_UNALIGNED, at) + segment.get(JAVA_LONG_UNALIGNED, at + 8)
                    + segment.get(JAVA_LONG_UNALIGNED, at + 16) + segment.get(JAVA_LONG_UNALIGNED, at + 24);
        }
        return sum;
    }
}
