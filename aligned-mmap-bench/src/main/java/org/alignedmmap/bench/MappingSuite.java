package org.alignedmmap.bench;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.alignedmmap.Access;
import org.alignedmmap.HugePages;
import org.alignedmmap.Mmap;

/**
 * Mapped files: this library against {@code FileChannel.map} (as a MemorySegment and as a
 * MappedByteBuffer, used the way Java code does without this library) and CPython's {@code mmap},
 * on the same page-cached files.
 */
final class MappingSuite {
    static final String SECTION = "Mapped file";
    static final String SEGMENT = "FileChannel.map segment";
    static final String SEGMENT_CONFINED = "FileChannel.map segment, confined arena";
    static final String BUFFER = "MappedByteBuffer";
    static final String CPYTHON = "CPython mmap";
    private static final long TWO_MIB = 2L << 20;
    private static final int CHUNK = 64 * 1024;
    private static final long SEED = 7;

    private final Settings settings;
    private final Progress progress;
    private final PythonPeer python;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    MappingSuite(Settings settings, Progress progress, PythonPeer python) {
        this.settings = settings;
        this.progress = progress;
        this.python = python;
    }

    /** What the reader of the figures should know about the conditions. */
    List<String> notes() {
        return notes;
    }

    List<Row> run() throws Exception {
        Path text = TestData.text(settings.dataDir(), settings.textSize());
        Path writeFile = TestData.zeros(settings.dataDir(), "write", settings.writeSize());
        Path small = TestData.zeros(settings.dataDir(), "small", 1 << 20);
        // Cached anew through a huge page mapping: the file then sits in the page cache in huge
        // folios, which any mapping whose address agrees with the file offset modulo the huge
        // page size can map whole. Every contender below works on that same page cache.
        notes.add("Mapped file: " + cacheThroughHugePages(text) + " after caching it anew through it.");
        CPythonOnDemand cpython = new CPythonOnDemand(text, writeFile, small);
        String section = SECTION + ", " + Compare.size(settings.textSize()) + " text";
        int runs = settings.runs();
        long size = settings.textSize();

        try (Mmap huge = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).map(text);
             Mmap aligned = Mmap.options().access(Access.READ).align(TWO_MIB).map(text);
             Mmap plain = Mmap.options().access(Access.READ).map(text);
             FileChannel channel = FileChannel.open(text, StandardOpenOption.READ);
             Arena arena = Arena.ofShared()) {
            MemorySegment segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            MappedByteBuffer buffer = size <= Integer.MAX_VALUE
                    ? channel.map(FileChannel.MapMode.READ_ONLY, 0, size) : null;

            Map<String, Mmap> ways = new LinkedHashMap<>();
            ways.put("Mmap align 2 MiB + huge pages", huge);
            ways.put("Mmap align 2 MiB", aligned);
            ways.put("Mmap align 1", plain);
            search(section, "find 1-byte absent", TestData.ABSENT_1, false, ways, segment, buffer, cpython, runs);
            search(section, "find 8-byte absent", TestData.ABSENT_8, false, ways, segment, buffer, cpython, runs);
            search(section, "find 32-byte near-miss", TestData.NEAR_MISS_NEEDLE, false, ways, segment, buffer,
                    cpython, runs);
            search(section, "rfind 8-byte absent", TestData.ABSENT_8, true, ways, segment, buffer, cpython, runs);

            progress.step("sequential read, " + Compare.size(CHUNK) + " chunks");
            byte[] reused = new byte[CHUNK];
            ByteBuffer reusedBuffer = ByteBuffer.wrap(reused);
            Map<String, Double> ours = new LinkedHashMap<>();
            ours.put("Mmap.read(n), new arrays", gb(size, Timer.bestSeconds(runs, () -> {
                huge.seek(0);
                while (huge.read(CHUNK).length > 0) { }
            })));
            ours.put("Mmap.read(ByteBuffer), reused", gb(size, Timer.bestSeconds(runs, () -> {
                huge.position(0);
                while (huge.read(reusedBuffer.clear()) > 0) { }
            })));
            Map<String, Double> peers = new LinkedHashMap<>();
            peers.put(SEGMENT, gb(size, Timer.bestSeconds(runs, () -> {
                MemorySegment target = MemorySegment.ofArray(reused);
                for (long at = 0; at < size; at += CHUNK) {
                    MemorySegment.copy(segment, at, target, 0, Math.min(CHUNK, size - at));
                }
            })));
            peers.put(BUFFER, buffer == null ? Double.NaN : gb(size, Timer.bestSeconds(runs, () -> {
                for (int at = 0; at < size; at += CHUNK) {
                    buffer.get(at, reused, 0, (int) Math.min(CHUNK, size - at));
                }
            })));
            peers.put(CPYTHON, gb(size, cpython.get("read chunks")));
            rows.add(new Row(section, "sequential read, " + Compare.size(CHUNK) + " chunks", "GB/s", true, ours, peers,
                    Row.Goal.ratio(CPYTHON, 1.0, "at least as fast as CPython")));

            progress.step("random 8-byte reads");
            long[] offsets = randomOffsets(size - 8, settings.randomCount());
            double count = offsets.length;
            ours = new LinkedHashMap<>();
            MemorySegment mapped = huge.segment();
            ours.put("Mmap.segment(), huge pages", ns(count, Timer.bestSeconds(runs, () -> {
                long sum = 0;
                for (long o : offsets) {
                    sum += mapped.get(JAVA_LONG_UNALIGNED, o);
                }
                Sink.consume(sum);
            })));
            peers = new LinkedHashMap<>();
            peers.put(SEGMENT, ns(count, Timer.bestSeconds(runs, () -> {
                long sum = 0;
                for (long o : offsets) {
                    sum += segment.get(JAVA_LONG_UNALIGNED, o);
                }
                Sink.consume(sum);
            })));
            peers.put(BUFFER, buffer == null ? Double.NaN : ns(count, Timer.bestSeconds(runs, () -> {
                long sum = 0;
                ByteBuffer little = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
                for (long o : offsets) {
                    sum += little.getLong((int) o);
                }
                Sink.consume(sum);
            })));
            peers.put(CPYTHON, ns(count, cpython.get("random 8-byte")));
            rows.add(new Row(section, "random 8-byte reads", "ns/op", false, ours, peers, null));

            progress.step("readLine over the whole file");
            ours = new LinkedHashMap<>();
            ours.put("Mmap.readLine()", gb(size, Timer.bestSeconds(Math.max(1, runs / 2), () -> {
                huge.seek(0);
                long lines = 0;
                while (huge.readLine().length > 0) {
                    lines++;
                }
                Sink.consume(lines);
            })));
            peers = new LinkedHashMap<>();
            peers.put(CPYTHON, gb(size, cpython.get("readline")));
            rows.add(new Row(section, "readLine, whole file", "GB/s", true, ours, peers,
                    Row.Goal.ratio(CPYTHON, 1.0, "at least as fast as CPython")));
        }

        move(section, cpython, runs);
        write(section, writeFile, cpython, runs);
        mapClose(section, small, cpython, runs);
        return rows;
    }

    private void search(String section, String name, byte[] needle, boolean reverse, Map<String, Mmap> ways,
                        MemorySegment segment, MappedByteBuffer buffer, CPythonOnDemand cpython, int runs)
            throws Exception {
        progress.step(name);
        long size = segment.byteSize();
        Map<String, Double> ours = new LinkedHashMap<>();
        for (Map.Entry<String, Mmap> way : ways.entrySet()) {
            Mmap m = way.getValue();
            ours.put(way.getKey(), gb(size, Timer.bestSeconds(runs, () ->
                    Sink.consume(reverse ? m.rfind(needle, 0) : m.find(needle, 0)))));
        }
        Map<String, Double> peers = new LinkedHashMap<>();
        // What Java code writes without this library: the obvious loop.
        int naiveRuns = Math.max(1, runs / 3);
        peers.put(SEGMENT, gb(size, Timer.bestSeconds(naiveRuns, () ->
                Sink.consume(NaiveSearch.find(segment, needle, reverse)))));
        peers.put(BUFFER, buffer == null ? Double.NaN : gb(size, Timer.bestSeconds(naiveRuns, () ->
                Sink.consume(NaiveSearch.find(buffer, needle, reverse)))));
        peers.put(CPYTHON, gb(size, cpython.get((reverse ? "rfind " : "find ") + TestData.hex(needle))));
        rows.add(new Row(section, name, "GB/s", true, ours, peers,
                Row.Goal.ratio(CPYTHON, 1.0, "at least as fast as CPython")));
    }

    private void move(String section, CPythonOnDemand cpython, int runs) throws Exception {
        long half = settings.moveSize();
        progress.step("move " + Compare.size(half));
        Map<String, Double> ours = new LinkedHashMap<>();
        Map<String, Double> peers = new LinkedHashMap<>();
        try (Mmap m = Mmap.options().align(TWO_MIB).anonymous(2 * half)) {
            m.move(half, 0, half);
            m.move(0, half, half);
            ours.put("Mmap.move", gb(half, Timer.bestSeconds(runs, () -> m.move(half, 0, half))));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(2 * half, 4096);
            peers.put("MemorySegment.copy", gb(half, Timer.bestSeconds(runs, () -> MemorySegment.copy(s, 0, s, half, half))));
        }
        peers.put(CPYTHON, gb(half, cpython.get("move")));
        rows.add(new Row(section, "move " + Compare.size(half) + " (anonymous)", "GB/s", true, ours, peers,
                Row.Goal.ratio(CPYTHON, 1.0, "at least as fast as CPython")));
    }

    private void write(String section, Path file, CPythonOnDemand cpython, int runs) throws Exception {
        long size = settings.writeSize();
        progress.step("write " + Compare.size(size) + " in " + Compare.size(CHUNK) + " chunks");
        byte[] block = new byte[CHUNK];
        java.util.Arrays.fill(block, (byte) 0x5a);
        Map<String, Double> ours = new LinkedHashMap<>();
        Map<String, Double> peers = new LinkedHashMap<>();
        try (Mmap m = Mmap.options().access(Access.WRITE).align(TWO_MIB).map(file)) {
            ours.put("Mmap.write(byte[])", gb(size, Timer.bestSeconds(runs, () -> {
                m.seek(0);
                for (long k = 0; k < size / CHUNK; k++) {
                    m.write(block);
                }
            })));
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofShared()) {
            MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            MemorySegment source = MemorySegment.ofArray(block);
            peers.put(SEGMENT, gb(size, Timer.bestSeconds(runs, () -> {
                for (long at = 0; at + CHUNK <= size; at += CHUNK) {
                    MemorySegment.copy(source, 0, segment, at, CHUNK);
                }
            })));
            if (size <= Integer.MAX_VALUE) {
                MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
                peers.put(BUFFER, gb(size, Timer.bestSeconds(runs, () -> {
                    for (int at = 0; at + CHUNK <= size; at += CHUNK) {
                        buffer.put(at, block);
                    }
                })));
            }
        }
        peers.put(CPYTHON, gb(size, cpython.get("write chunks")));
        rows.add(new Row(section, "write " + Compare.size(size) + ", " + Compare.size(CHUNK) + " chunks", "GB/s", true,
                ours, peers, Row.Goal.ratio(CPYTHON, 1.0, "at least as fast as CPython")));
    }

    private void mapClose(String section, Path file, CPythonOnDemand cpython, int runs) throws Exception {
        progress.step("open + map + close of 1 MiB");
        Map<String, Double> plain = new LinkedHashMap<>();
        plain.put("Mmap align 1", mapCloseMicros(file, 1, false, runs));
        plain.put("Mmap align 1, confined", mapCloseMicros(file, 1, true, runs));
        Map<String, Double> aligned = new LinkedHashMap<>();
        aligned.put("Mmap align 2 MiB", mapCloseMicros(file, TWO_MIB, false, runs));
        aligned.put("Mmap align 2 MiB, confined", mapCloseMicros(file, TWO_MIB, true, runs));
        Map<String, Double> peers = new LinkedHashMap<>();
        peers.put(SEGMENT + ", shared arena", channelMapCloseMicros(file, false, runs));
        peers.put(SEGMENT_CONFINED, channelMapCloseMicros(file, true, runs));
        Double python = cpython.get("open+map+close");
        peers.put(CPYTHON, python == null ? Double.NaN : python * 1e6);
        rows.add(new Row(section, "open + map + close, 1 MiB", "us/op", false, plain, peers,
                Row.Goal.ratio(CPYTHON, 1.0, "at least as fast as CPython")));
        rows.add(new Row(section, "open + map + close, 1 MiB at 2 MiB alignment", "us/op", false, aligned, peers,
                Row.Goal.ratio(SEGMENT_CONFINED, 1 / 1.3, "at most 1.3x the time of plain FileChannel.map")));
    }

    private double mapCloseMicros(Path file, long align, boolean confined, int runs) throws Exception {
        int iterations = settings.mapIterations();
        return us(iterations, Timer.bestSeconds(runs, () -> {
            for (int i = 0; i < iterations; i++) {
                try (Mmap m = Mmap.options().access(Access.READ).align(align).confined(confined).map(file)) {
                    Sink.consume(m.length());
                }
            }
        }));
    }

    private double channelMapCloseMicros(Path file, boolean confined, int runs) throws Exception {
        int iterations = settings.mapIterations();
        return us(iterations, Timer.bestSeconds(runs, () -> {
            for (int i = 0; i < iterations; i++) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                     Arena arena = confined ? Arena.ofConfined() : Arena.ofShared()) {
                    Sink.consume(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena).byteSize());
                }
            }
        }));
    }

    /** Drops the file from the page cache and reads it back through a huge page mapping. */
    private String cacheThroughHugePages(Path text) throws Exception {
        progress.step("caching the text file through a huge page mapping");
        PageCache.drop(text);
        try (Mmap m = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).map(text)) {
            MemorySegment s = m.segment();
            long sum = 0;
            for (long at = 0; at < s.byteSize(); at += 4096) {
                sum += s.get(JAVA_BYTE, at);
            }
            Sink.consume(sum);
            double fraction = m.backing().hugePageFraction();
            String state = String.format(java.util.Locale.ROOT, "%.0f%% of the text file's mapping in huge pages", 100 * fraction);
            progress.note(state);
            return state;
        }
    }

    /**
     * CPython's figure for one operation, measured when asked: right after the Java side measured
     * the same operation, so that both meet the machine (memory bandwidth shifts over minutes on a
     * shared host) in the same state.
     */
    private final class CPythonOnDemand {
        private final Path text;
        private final Path writeFile;
        private final Path small;

        CPythonOnDemand(Path text, Path writeFile, Path small) {
            this.text = text;
            this.writeFile = writeFile;
            this.small = small;
        }

        /** Seconds of CPython's best run of {@code op}, or null when there is no CPython. */
        Double get(String op) {
            if (python == null) {
                return null;
            }
            String params = "{"
                    + "\"text_file\": \"" + text + "\", \"write_file\": \"" + writeFile + "\", \"map_file\": \""
                    + small + "\", \"runs\": " + settings.runs() + ", "
                    + "\"find\": {" + hexEntries(TestData.ABSENT_1, TestData.ABSENT_8, TestData.NEAR_MISS_NEEDLE) + "}, "
                    + "\"rfind\": {" + hexEntries(TestData.ABSENT_8) + "}, "
                    + "\"read_chunk\": " + CHUNK + ", \"write_chunk\": " + CHUNK + ", "
                    + "\"random_seed\": " + SEED + ", \"random_count\": " + settings.randomCount() + ", "
                    + "\"move_size\": " + settings.moveSize() + ", \"map_iterations\": " + settings.mapIterations() + ", "
                    + "\"ops\": [\"" + op + "\"]}";
            try {
                return python.run(params).get(op);
            } catch (IOException e) {
                notes.add("CPython peer failed on " + op + ": " + e.getMessage());
                return null;
            }
        }
    }

    private static String hexEntries(byte[]... needles) {
        StringBuilder s = new StringBuilder();
        for (byte[] n : needles) {
            if (!s.isEmpty()) {
                s.append(", ");
            }
            s.append('"').append(TestData.hex(n)).append("\": \"").append(TestData.hex(n)).append('"');
        }
        return s.toString();
    }

    private static long[] randomOffsets(long bound, int count) {
        SplittableRandom random = new SplittableRandom(SEED);
        long[] offsets = new long[count];
        for (int i = 0; i < count; i++) {
            offsets[i] = random.nextLong(bound);
        }
        return offsets;
    }

    private static double gb(long bytes, Double seconds) {
        return seconds == null ? Double.NaN : Timer.gbPerSecond(bytes, seconds);
    }

    private static double ns(double operations, Double seconds) {
        return seconds == null ? Double.NaN : seconds * 1e9 / operations;
    }

    private static double us(int operations, double seconds) {
        return seconds * 1e6 / operations;
    }

    /** The search a Java programmer writes without a library: compare at every position. */
    static final class NaiveSearch {
        private NaiveSearch() {}

        static long find(MemorySegment s, byte[] needle, boolean reverse) {
            long last = s.byteSize() - needle.length;
            if (reverse) {
                for (long i = last; i >= 0; i--) {
                    if (matches(s, i, needle)) {
                        return i;
                    }
                }
            } else {
                for (long i = 0; i <= last; i++) {
                    if (matches(s, i, needle)) {
                        return i;
                    }
                }
            }
            return -1;
        }

        static long find(ByteBuffer b, byte[] needle, boolean reverse) {
            int last = b.limit() - needle.length;
            if (reverse) {
                for (int i = last; i >= 0; i--) {
                    if (matches(b, i, needle)) {
                        return i;
                    }
                }
            } else {
                for (int i = 0; i <= last; i++) {
                    if (matches(b, i, needle)) {
                        return i;
                    }
                }
            }
            return -1;
        }

        private static boolean matches(MemorySegment s, long at, byte[] needle) {
            for (int k = 0; k < needle.length; k++) {
                if (s.get(JAVA_BYTE, at + k) != needle[k]) {
                    return false;
                }
            }
            return true;
        }

        private static boolean matches(ByteBuffer b, int at, byte[] needle) {
            for (int k = 0; k < needle.length; k++) {
                if (b.get(at + k) != needle[k]) {
                    return false;
                }
            }
            return true;
        }
    }
}
