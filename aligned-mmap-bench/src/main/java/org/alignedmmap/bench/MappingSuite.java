package org.alignedmmap.bench;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
import org.alignedmmap.SystemAlignment;

/**
 * Mapped files: this library against {@code FileChannel.map} (as a MemorySegment and as a
 * MappedByteBuffer, used the way Java code does without this library) and CPython's {@code mmap},
 * on the same page-cached files.
 *
 * <p>The library's side runs twice, each time in a JVM of its own ({@link SuiteChild}): the
 * {@link Flavor#DEFAULT default path}, with the peers and CPython beside it, and the {@link
 * Flavor#FLAGGED flagged path}, the library's side alone, whose figures become the rows' flagged
 * column. Both use the same variant names, so a row reads across.
 */
final class MappingSuite {
    static final String SECTION = "Mapped file";
    static final String SEGMENT = "FileChannel.map segment";
    static final String SEGMENT_CONFINED = "FileChannel.map segment, confined arena";
    static final String BUFFER = "MappedByteBuffer";
    static final String CPYTHON = "CPython mmap";
    /** The lowest a Java {@code read(n)} can cost: allocate the array, copy into it. */
    static final String READ_FLOOR = "JVM floor: new byte[65536] + MemorySegment.copy";
    static final String ALLOCATION_ALONE = "new byte[65536] alone (no copy)";
    private static final long TWO_MIB = 2L << 20;
    private static final int CHUNK = 64 * 1024;
    private static final long SEED = 7;
    /** The window the get(long) loops index: cached, so they measure the call, not memory. */
    private static final long GET_WINDOW = 1L << 20;
    /** Apart by a cache line, so that every get touches a new line of the window. */
    private static final long GET_STRIDE = 64;
    /** The counters of the control loop that counts like a guard without sharing anything. */
    private static final VarHandle PRIVATE_COUNT = MethodHandles.arrayElementVarHandle(long[].class);

    private final Settings settings;
    private final Progress progress;
    private final PythonPeer python;
    private final Flavor flavor;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    MappingSuite(Settings settings, Progress progress, PythonPeer python, Flavor flavor) {
        this.settings = settings;
        this.progress = progress;
        this.python = flavor == Flavor.DEFAULT ? python : null;
        this.flavor = flavor;
    }

    /**
     * Runs the suite in two child JVMs, the default path first (with the peers), then the flagged
     * path, and returns the default path's rows with the flagged path's figures beside them.
     *
     * @param notes receives the children's notes
     * @throws Exception if the default path's child fails (a failing flagged child becomes a note)
     */
    static List<Row> inChildJvms(Settings settings, Progress progress, PythonPeer python, List<String> notes)
            throws Exception {
        List<Row> rows = new ArrayList<>();
        SuiteChild.run(SECTION, Flavor.DEFAULT, settings, python, progress, rows, notes);
        List<Row> flagged = new ArrayList<>();
        try {
            SuiteChild.run(SECTION, Flavor.FLAGGED, settings, null, progress, flagged, new ArrayList<>());
        } catch (java.io.IOException e) {
            String note = SECTION + ", flagged path failed: " + e.getMessage();
            progress.note(note);
            notes.add(note);
        }
        Map<String, Row> byOperation = new LinkedHashMap<>();
        flagged.forEach(r -> byOperation.put(r.operation(), r));
        List<Row> merged = new ArrayList<>();
        for (Row row : rows) {
            Row other = byOperation.get(row.operation());
            merged.add(other == null ? row : row.withFlagged(other.ours()));
        }
        return merged;
    }

    /** What the reader of the figures should know about the conditions. */
    List<String> notes() {
        return notes;
    }

    /** The options of a mapping that one thread uses: confined on the flagged path. */
    private org.alignedmmap.MmapOptions oneThread() {
        return Mmap.options().confined(flavor.confined());
    }

    /** Whether the peers run: on the default path only (the flagged path adds a column of ours). */
    private boolean peers() {
        return flavor == Flavor.DEFAULT;
    }

    List<Row> run() throws Exception {
        Path text = TestData.text(settings.dataDir(), settings.textSize());
        Path writeFile = TestData.zeros(settings.dataDir(), "write", settings.writeSize());
        Path small = TestData.zeros(settings.dataDir(), "small", 1 << 20);
        if (peers()) {
            // Cached anew through a huge page mapping: the file then sits in the page cache in huge
            // folios, which any mapping whose address agrees with the file offset modulo the huge
            // page size can map whole. Every contender below works on that same page cache, the
            // flagged path's child (which runs after this one) too.
            notes.add("Mapped file: " + cacheThroughHugePages(text) + " after caching it anew through it.");
        }
        CPythonOnDemand cpython = new CPythonOnDemand(text, writeFile, small);
        String section = SECTION + ", " + Compare.size(settings.textSize()) + " text";
        int runs = settings.runs();
        long size = settings.textSize();

        try (Mmap huge = oneThread().access(Access.READ).hugePages(HugePages.TRANSPARENT).map(text);
             Mmap aligned = oneThread().access(Access.READ).align(TWO_MIB).map(text);
             Mmap plain = oneThread().access(Access.READ).map(text);
             Mmap shared = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).map(text);
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

            Double cpythonRead = peers() ? cpython.get("read chunks") : null;
            readIntoBuffer(section, huge, segment, buffer, cpythonRead, runs);
            readFreshArrays(section, huge, segment, cpythonRead, runs);
            randomReads(section, huge, segment, buffer, cpython, runs);
            getLoops(section, shared, segment, cpython, runs);

            progress.step("readLine over the whole file");
            Map<String, Double> ours = new LinkedHashMap<>();
            ours.put("Mmap.readLine()", gb(size, Timer.bestSeconds(Math.max(1, runs / 2), () -> {
                huge.seek(0);
                long lines = 0;
                while (huge.readLine().length > 0) {
                    lines++;
                }
                Sink.consume(lines);
            })));
            Map<String, Double> peers = new LinkedHashMap<>();
            if (peers()) {
                peers.put(CPYTHON, gb(size, cpython.get("readline")));
            }
            rows.add(new Row(section, "readLine, whole file", "GB/s", true, ours, peers,
                    Row.Goal.ratio(CPYTHON, 1.0, "at least as fast as CPython")));
        }

        move(section, cpython, runs);
        write(section, writeFile, cpython, runs);
        mapClose(section, small, cpython, runs);
        return rows;
    }

    /** read(ByteBuffer) into one reused buffer: the copy alone, against the same copy without the library. */
    private void readIntoBuffer(String section, Mmap huge, MemorySegment segment, MappedByteBuffer buffer,
                                Double cpythonRead, int runs) throws Exception {
        progress.step("sequential read(ByteBuffer), " + Compare.size(CHUNK) + " chunks");
        long size = segment.byteSize();
        byte[] reused = new byte[CHUNK];
        ByteBuffer reusedBuffer = ByteBuffer.wrap(reused);
        Map<String, Double> ours = new LinkedHashMap<>();
        ours.put("Mmap.read(ByteBuffer), reused", gb(size, Timer.bestSeconds(runs, () -> {
            huge.position(0);
            while (huge.read(reusedBuffer.clear()) > 0) { }
        })));
        Map<String, Double> peers = new LinkedHashMap<>();
        if (peers()) {
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
            peers.put(CPYTHON, gb(size, cpythonRead));
        }
        rows.add(new Row(section, "sequential read(ByteBuffer), " + Compare.size(CHUNK) + " chunks, reused buffer",
                "GB/s", true, ours, peers, Row.Goal.ratio(CPYTHON, 1.0, "at least as fast as CPython")));
    }

    /**
     * read(65536) returning a fresh array each time, as CPython's read does, beside the least any
     * Java read(n) can cost in this JVM (allocate, then copy) and the allocation alone: a fresh
     * array lands on cache lines the young generation has not touched for a while, where CPython's
     * malloc hands back the same, cache-hot 64 KiB each call.
     */
    private void readFreshArrays(String section, Mmap huge, MemorySegment segment, Double cpythonRead, int runs)
            throws Exception {
        progress.step("read(" + CHUNK + ") loop, fresh arrays");
        long size = segment.byteSize();
        Map<String, Double> ours = new LinkedHashMap<>();
        ours.put("Mmap.read(n)", gb(size, Timer.bestSeconds(runs, () -> {
            huge.seek(0);
            while (huge.read(CHUNK).length > 0) { }
        })));
        Map<String, Double> peers = new LinkedHashMap<>();
        if (peers()) {
            peers.put(READ_FLOOR, gb(size, Timer.bestSeconds(runs, () -> {
                long sum = 0;
                for (long at = 0; at < size; at += CHUNK) {
                    int n = (int) Math.min(CHUNK, size - at);
                    byte[] bytes = new byte[n];
                    MemorySegment.copy(segment, JAVA_BYTE, at, bytes, 0, n);
                    sum += bytes[0];
                }
                Sink.consume(sum);
            })));
            peers.put(ALLOCATION_ALONE, gb(size, Timer.bestSeconds(runs, () -> {
                long sum = 0;
                for (long at = 0; at < size; at += CHUNK) {
                    byte[] bytes = new byte[CHUNK];
                    sum += bytes[(int) (at & 7)];
                }
                Sink.consume(sum);
            })));
            peers.put(CPYTHON, gb(size, cpythonRead));
        }
        rows.add(new Row(section, "read(" + CHUNK + ") loop (fresh arrays)", "GB/s", true, ours, peers,
                Row.Goal.ratio(CPYTHON, 1.0, "at least as fast as CPython")));
    }

    private void randomReads(String section, Mmap huge, MemorySegment segment, MappedByteBuffer buffer,
                             CPythonOnDemand cpython, int runs) throws Exception {
        progress.step("random 8-byte reads");
        long size = segment.byteSize();
        long[] offsets = randomOffsets(size - 8, settings.randomCount());
        double count = offsets.length;
        Map<String, Double> ours = new LinkedHashMap<>();
        MemorySegment mapped = huge.segment();
        ours.put("Mmap.segment(), huge pages", ns(count, Timer.bestSeconds(runs, () -> {
            long sum = 0;
            for (long o : offsets) {
                sum += mapped.get(JAVA_LONG_UNALIGNED, o);
            }
            Sink.consume(sum);
        })));
        Map<String, Double> peers = new LinkedHashMap<>();
        if (peers()) {
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
        }
        rows.add(new Row(section, "random 8-byte reads", "ns/op", false, ours, peers, null));
    }

    /**
     * get(long) by one thread, and by two threads on one mapping (the guard's counters must not
     * make readers contend): the same loops over the raw segment show what the machine allows.
     */
    private void getLoops(String section, Mmap shared, MemorySegment segment, CPythonOnDemand cpython, int runs)
            throws Exception {
        progress.step("get(long), one thread and two");
        long calls = settings.getCalls();
        Map<String, Double> ours = new LinkedHashMap<>();
        Map<String, Double> peers = new LinkedHashMap<>();
        GetLoop viaGet = (first, n) -> {
            long sum = 0;
            for (long i = first; i < first + n; i++) {
                sum += shared.get((i * GET_STRIDE) & (GET_WINDOW - 1));
            }
            return sum;
        };
        GetLoop viaSegment = (first, n) -> {
            long sum = 0;
            for (long i = first; i < first + n; i++) {
                sum += segment.get(JAVA_BYTE, (i * GET_STRIDE) & (GET_WINDOW - 1));
            }
            return sum;
        };
        double[] get = scaling(viaGet, calls, runs);
        ours.put("Mmap.get(long)", get[0]);
        Map<String, Double> peersScaling = new LinkedHashMap<>();
        if (peers()) {
            // The controls run as long as the get loop does: on a shared machine a loop shorter
            // than a scheduler slice finds both cores free more often than a long one.
            double[] raw = scaling(viaSegment, timeMatched(calls, get[0], viaSegment, runs), runs);
            peers.put(SEGMENT + " get", raw[0]);
            Double python = cpython.get("get");
            peers.put(CPYTHON + " m[i]", python == null ? Double.NaN : python * 1e9 / settings.getCalls());
            peersScaling.put(SEGMENT + " get (the machine's ceiling)", raw[1]);
            long[] privateCounts = new long[4 * 16];
            GetLoop counted = (first, n) -> {
                // What any counting guard costs, with no sharing at all: each thread its own counter.
                int slot = first == 0 ? 16 : 48;
                long sum = 0;
                for (long i = first; i < first + n; i++) {
                    PRIVATE_COUNT.getAndAdd(privateCounts, slot, 1L);
                    sum += segment.get(JAVA_BYTE, (i * GET_STRIDE) & (GET_WINDOW - 1));
                    PRIVATE_COUNT.getAndAdd(privateCounts, slot, -1L);
                }
                return sum;
            };
            peersScaling.put("segment get between two atomic adds to a thread's own counter",
                    scaling(counted, timeMatched(calls, get[0], counted, runs), runs)[1]);
        }
        rows.add(new Row(section, "get(long) over a cached " + Compare.size(GET_WINDOW) + ", one thread", "ns/op",
                false, ours, peers, Row.Goal.ratio(CPYTHON + " m[i]", 1.0, "at least as fast as CPython")));
        Map<String, Double> oursScaling = new LinkedHashMap<>();
        oursScaling.put("Mmap.get(long)", get[1]);
        rows.add(new Row(section, "two threads get(long), work of one thread", "x", true, oursScaling, peersScaling,
                Row.Goal.atLeast(1.7, ">= 1.7x one thread's work")));
    }

    /** How many calls of {@code loop} take as long as {@code calls} gets of {@code nanosPerGet} each. */
    private static long timeMatched(long calls, double nanosPerGet, GetLoop loop, int runs) throws Exception {
        double probe = Timer.bestSeconds(runs, () -> inThreads(loop, 1, calls)) * 1e9 / calls;
        return Math.max(calls, (long) Math.min(50.0 * calls, calls * nanosPerGet / probe));
    }

    /** A loop of {@code n} reads starting at {@code first}; returns a sum to keep the reads. */
    @FunctionalInterface
    private interface GetLoop {
        long run(long first, long n);
    }

    /**
     * Returns nanoseconds per call of one thread, and the work of two threads (each doing {@code
     * calls}) over the work of one: best runs, one thread and two measured in turn.
     */
    private static double[] scaling(GetLoop loop, long calls, int runs) throws Exception {
        double one = Timer.bestSeconds(runs, () -> inThreads(loop, 1, calls));
        double two = Timer.bestSeconds(runs, () -> inThreads(loop, 2, calls));
        one = Math.min(one, Timer.bestSeconds(runs, () -> inThreads(loop, 1, calls)));
        return new double[] {one * 1e9 / calls, 2 * one / two};
    }

    private static void inThreads(GetLoop loop, int threads, long calls) throws InterruptedException {
        Thread[] workers = new Thread[threads];
        long[] sums = new long[threads];
        for (int t = 0; t < threads; t++) {
            int index = t;
            // Apart in the window, so that the threads' reads do not walk the same lines in step.
            workers[t] = new Thread(() -> sums[index] = loop.run(index * 7_919L, calls));
        }
        for (Thread w : workers) {
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        Sink.consume(java.util.Arrays.stream(sums).sum());
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
        if (peers()) {
            // What Java code writes without this library: the obvious loop.
            int naiveRuns = Math.max(1, runs / 3);
            peers.put(SEGMENT, gb(size, Timer.bestSeconds(naiveRuns, () ->
                    Sink.consume(NaiveSearch.find(segment, needle, reverse)))));
            peers.put(BUFFER, buffer == null ? Double.NaN : gb(size, Timer.bestSeconds(naiveRuns, () ->
                    Sink.consume(NaiveSearch.find(buffer, needle, reverse)))));
            peers.put(CPYTHON, gb(size, cpython.get((reverse ? "rfind " : "find ") + TestData.hex(needle))));
        }
        rows.add(new Row(section, name, "GB/s", true, ours, peers,
                Row.Goal.ratio(CPYTHON, 1.0, "at least as fast as CPython")));
    }

    private void move(String section, CPythonOnDemand cpython, int runs) throws Exception {
        long half = settings.moveSize();
        progress.step("move " + Compare.size(half));
        Map<String, Double> ours = new LinkedHashMap<>();
        Map<String, Double> peers = new LinkedHashMap<>();
        try (Mmap m = oneThread().align(TWO_MIB).anonymous(2 * half)) {
            m.move(half, 0, half);
            m.move(0, half, half);
            ours.put("Mmap.move", gb(half, Timer.bestSeconds(runs, () -> m.move(half, 0, half))));
        }
        if (peers()) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = arena.allocate(2 * half, SystemAlignment.pageSize());
                peers.put("MemorySegment.copy", gb(half, Timer.bestSeconds(runs,
                        () -> MemorySegment.copy(s, 0, s, half, half))));
            }
            peers.put(CPYTHON, gb(half, cpython.get("move")));
        }
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
        try (Mmap m = oneThread().access(Access.WRITE).align(TWO_MIB).map(file)) {
            ours.put("Mmap.write(byte[])", gb(size, Timer.bestSeconds(runs, () -> {
                m.seek(0);
                for (long k = 0; k < size / CHUNK; k++) {
                    m.write(block);
                }
            })));
        }
        if (peers()) {
            writePeers(file, block, peers, runs);
            peers.put(CPYTHON, gb(size, cpython.get("write chunks")));
        }
        rows.add(new Row(section, "write " + Compare.size(size) + ", " + Compare.size(CHUNK) + " chunks", "GB/s", true,
                ours, peers, Row.Goal.ratio(CPYTHON, 1.0, "at least as fast as CPython")));
    }

    private void writePeers(Path file, byte[] block, Map<String, Double> peers, int runs) throws Exception {
        long size = settings.writeSize();
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
    }

    private void mapClose(String section, Path file, CPythonOnDemand cpython, int runs) throws Exception {
        progress.step("open + map + close of 1 MiB");
        // One variant name per row on both paths: the flagged path's mappings are the confined ones.
        Map<String, Double> plain = new LinkedHashMap<>();
        plain.put("Mmap align 1", mapCloseMicros(file, 1, flavor.confined(), runs));
        Map<String, Double> aligned = new LinkedHashMap<>();
        aligned.put("Mmap align 2 MiB", mapCloseMicros(file, TWO_MIB, flavor.confined(), runs));
        Map<String, Double> peers = new LinkedHashMap<>();
        if (peers()) {
            peers.put(SEGMENT + ", shared arena", channelMapCloseMicros(file, false, runs));
            peers.put(SEGMENT_CONFINED, channelMapCloseMicros(file, true, runs));
            Double python = cpython.get("open+map+close");
            peers.put(CPYTHON, python == null ? Double.NaN : python * 1e6);
        }
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
            String state = String.format(java.util.Locale.ROOT, "%.0f%% of the text file's mapping in huge pages",
                    100 * fraction);
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
                    + "\"find\": {" + hexEntries(TestData.ABSENT_1, TestData.ABSENT_8, TestData.NEAR_MISS_NEEDLE)
                            + "}, "
                    + "\"rfind\": {" + hexEntries(TestData.ABSENT_8) + "}, "
                    + "\"read_chunk\": " + CHUNK + ", \"write_chunk\": " + CHUNK + ", "
                    + "\"random_seed\": " + SEED + ", \"random_count\": " + settings.randomCount() + ", "
                    + "\"move_size\": " + settings.moveSize() + ", \"map_iterations\": " + settings.mapIterations()
                            + ", "
                    + "\"get_calls\": " + settings.getCalls() + ", \"get_window\": " + GET_WINDOW + ", "
                    + "\"get_stride\": " + GET_STRIDE + ", "
                    + "\"get_calls\": " + settings.getCalls() + ", \"get_window\": " + GET_WINDOW + ", "
                    + "\"get_stride\": " + GET_STRIDE + ", "
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
