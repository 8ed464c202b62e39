package org.alignedmmap.bench;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.alignedmmap.Access;
import org.alignedmmap.Aligned;
import org.alignedmmap.Backing;
import org.alignedmmap.HugePages;
import org.alignedmmap.Mmap;
import org.alignedmmap.SystemAlignment;

/**
 * Huge pages for files as they are written (issue 13): a file written in 8 KiB pieces, mapped
 * and first touched with and without {@code rebuildPageCache}, random reads over it afterwards
 * against the same file in 4 KiB pages and against anonymous huge pages, and {@code
 * Aligned.load} against the JDK's ways of getting a file into memory, cold and warm.
 *
 * <p>Every timed run starts from the state it describes, prepared untimed: the file written
 * afresh (its page cache in small folios) before each map, its page cache dropped before each
 * cold load. Those runs read from storage, so they are taken best of {@link #IO_RUNS} after one
 * warm-up, not with {@link Timer}'s warm-up loop, which would read the file dozens of times.
 */
final class FileHugePageSuite {
    static final String SECTION = "File huge pages";
    static final String REBUILT = "Mmap, TRANSPARENT + rebuildPageCache";
    static final String AS_WRITTEN = "Mmap, TRANSPARENT, as written";
    static final String JDK_MAP = "FileChannel.map + touch";
    static final String SMALL_PAGES = "the file in 4 KiB pages";
    static final String ANONYMOUS = "anonymous huge pages";
    static final String LOAD = "Aligned.load, TRANSPARENT";
    static final String JDK_READ = "FileChannel.read into Arena.allocate";

    /** Storage-bound runs: the best of three already shows what the code does, more only costs minutes. */
    private static final int IO_RUNS = 3;
    /** Rounds of the random reads, each kind measured once per round. */
    private static final int ROUNDS = 3;
    /** What FileOutputStream, Files.write and Lucene write per call. */
    private static final int SMALL_WRITE = 8192;
    /** Reads of the JDK peer: large enough to run at the copy's speed. */
    private static final int READ_CHUNK = 64 << 20;

    private final Settings settings;
    private final Progress progress;

    FileHugePageSuite(Settings settings, Progress progress) {
        this.settings = settings;
        this.progress = progress;
    }

    List<Row> run() throws Exception {
        if (!HugePages.TRANSPARENT.isAvailable()) {
            throw new IllegalStateException("transparent huge pages are not available here: "
                    + HugePages.TRANSPARENT.unavailableReason().orElse("?"));
        }
        long size = settings.textSize();
        String label = Compare.size(size);
        Path file = settings.dataDir().resolve("fresh-" + size + ".bin");
        Files.createDirectories(settings.dataDir());
        List<Row> rows = new ArrayList<>();
        try {
            rows.addAll(mapAndTouch(file, size, label));
            rows.add(randomReads(file, size, label));
            rows.addAll(load(file, size, label));
        } finally {
            Files.deleteIfExists(file);
        }
        return rows;
    }

    private List<Row> mapAndTouch(Path file, long size, String label) throws Exception {
        progress.step("map + first touch of a freshly written " + label + " file");
        Map<String, Double> ms = new LinkedHashMap<>();
        Map<String, Double> huge = new LinkedHashMap<>();
        for (boolean rebuild : new boolean[] {true, false}) {
            String name = rebuild ? REBUILT : AS_WRITTEN;
            ms.put(name, 1e3 * bestOf(() -> writeInSmallPieces(file, size), () -> {
                Mmap m = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).rebuildPageCache(rebuild)
                        .confined(true).map(file);
                Sink.consume(touch(m.segment()));
                return m;
            }, m -> huge.put(name, 100 * m.backing().hugePageFraction())));
        }
        ms.put(JDK_MAP, 1e3 * bestOf(() -> writeInSmallPieces(file, size), () -> mapAndTouch(file, size),
                m -> huge.put(JDK_MAP, 100 * Backing.of(m.segment()).hugePageFraction())));
        return List.of(
                new Row(SECTION, "map + first touch of a freshly written " + label + " file (8 KiB writes)", "ms",
                        false,
                        Map.of(REBUILT, ms.get(REBUILT)), without(ms, REBUILT), null),
                new Row(SECTION, "share of that mapping in huge pages", "%", true, Map.of(REBUILT, huge.get(REBUILT)),
                        without(huge, REBUILT), null));
    }

    /**
     * Random reads over the rebuilt file, the same bytes in another file as written (4 KiB
     * pages) and anonymous huge pages, all three mapped at once and measured in turn for {@link
     * #ROUNDS} rounds, the best per kind: on a shared machine the load changes between
     * measurements, and one measurement after the other would hand the difference to whichever
     * came first.
     */
    private Row randomReads(Path file, long size, String label) throws Exception {
        int reads = settings.randomCount() * 4;
        int runs = settings.runs();
        progress.step("random 8-byte reads over the " + label + " file");
        Path small = file.resolveSibling("fresh-small-" + size + ".bin");
        writeInSmallPieces(file, size);
        writeInSmallPieces(small, size);
        Map<String, Double> best = new LinkedHashMap<>();
        try (Mmap rebuilt = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).rebuildPageCache(true)
                     .populate(true).map(file);
             Mmap asWritten = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).populate(true)
                     .map(small);
             Mmap anonymous = Mmap.options().hugePages(HugePages.TRANSPARENT).anonymous(size)) {
            anonymous.segment().fill((byte) 1);
            Map<String, MemorySegment> kinds = new LinkedHashMap<>();
            kinds.put(REBUILT, rebuilt.segment());
            kinds.put(SMALL_PAGES, asWritten.segment());
            kinds.put(ANONYMOUS, anonymous.segment());
            for (int round = 0; round < ROUNDS; round++) {
                for (Map.Entry<String, MemorySegment> kind : kinds.entrySet()) {
                    best.merge(kind.getKey(), HugePageSuite.randomReadNanos(kind.getValue(), reads, runs), Math::min);
                }
            }
        } finally {
            Files.deleteIfExists(small);
        }
        return new Row(SECTION, "random 8-byte reads over the " + label + " file afterwards", "ns/op", false,
                Map.of(REBUILT, best.get(REBUILT)), without(best, REBUILT),
                Row.Goal.ratio(ANONYMOUS, 0.95, "as fast as anonymous huge pages (1.9x the 4 KiB figure)"));
    }

    private List<Row> load(Path file, long size, String label) throws Exception {
        writeInSmallPieces(file, size);
        List<Row> rows = new ArrayList<>();
        for (boolean cold : new boolean[] {true, false}) {
            String state = cold ? "cold" : "warm";
            progress.step("load " + label + ", " + state + " cache");
            Map<String, Double> ms = new LinkedHashMap<>();
            Map<String, Double> memory = new LinkedHashMap<>();
            long[] anonBefore = new long[1];
            Timer.Action before = () -> {
                if (cold) {
                    PageCache.drop(file);
                } else {
                    warm(file);
                }
                anonBefore[0] = rssAnon();
            };
            ms.put(LOAD, 1e3 * bestOf(before, () -> {
                Arena arena = Arena.ofConfined();
                Sink.consume(Aligned.load(file, HugePages.TRANSPARENT, arena).get(JAVA_BYTE, size - 1));
                return new Loaded(arena, null, null);
            }, l -> memory.put(LOAD, mib(rssAnon() - anonBefore[0] + cachedBytes(file)))));
            ms.put(JDK_READ, 1e3 * bestOf(before, () -> {
                Arena arena = Arena.ofConfined();
                MemorySegment copy = arena.allocate(size, SystemAlignment.pageSize());
                try (FileChannel channel = FileChannel.open(file)) {
                    for (long at = 0; at < size; ) {
                        ByteBuffer chunk = copy.asSlice(at, Math.min(READ_CHUNK, size - at)).asByteBuffer();
                        while (chunk.hasRemaining()) {
                            at += channel.read(chunk, at);
                        }
                    }
                }
                return new Loaded(arena, null, copy);
            }, l -> memory.put(JDK_READ, mib(rssAnon() - anonBefore[0] + cachedBytes(file)))));
            ms.put(JDK_MAP, 1e3 * bestOf(before, () -> mapAndTouch(file, size),
                    l -> memory.put(JDK_MAP, mib(rssAnon() - anonBefore[0] + cachedBytes(file)))));
            rows.add(new Row(SECTION, "load " + label + " into memory, " + state + " cache", "ms", false,
                    Map.of(LOAD, ms.get(LOAD)), without(ms, LOAD),
                    Row.Goal.ratio(null, 1.0, "at least as fast as the fastest JDK way")));
            rows.add(new Row(SECTION, "memory holding the " + label + " file after a " + state + " load"
                    + " (anonymous RSS + page cache)", "MiB", false, Map.of(LOAD, memory.get(LOAD)),
                    without(memory, LOAD), cold ? Row.Goal.atMost(mib(size) * 1.02, "one copy of the data") : null));
        }
        return rows;
    }

    /** What a timed run leaves alive until it has been measured: an arena, a channel, a segment. */
    private record Loaded(Arena arena, FileChannel channel, MemorySegment segment) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                if (channel != null) {
                    channel.close();
                }
            } finally {
                arena.close();
            }
        }
    }

    /** The JDK's way to get a file into memory without a copy: {@code FileChannel.map}, every page touched. */
    private static Loaded mapAndTouch(Path file, long size) throws IOException {
        Arena arena = Arena.ofConfined();
        FileChannel channel = FileChannel.open(file);
        MemorySegment m = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        Sink.consume(touch(m));
        return new Loaded(arena, channel, m);
    }

    /** A timed run that returns what it made, so that it can be looked at and closed untimed. */
    @FunctionalInterface
    private interface Run<T extends AutoCloseable> {
        T run() throws Exception;
    }

    /** An untimed look at what a run made, before it is closed. */
    @FunctionalInterface
    private interface Look<T> {
        void at(T made) throws Exception;
    }

    /**
     * One warm-up, then the best of {@link #IO_RUNS}: each after {@code prepare}, untimed, and
     * followed by {@code look} and the closing of what it made, untimed.
     */
    private static <T extends AutoCloseable> double bestOf(Timer.Action prepare, Run<T> run, Look<T> look)
            throws Exception {
        double best = Double.MAX_VALUE;
        for (int i = 0; i <= IO_RUNS; i++) {
            prepare.run();
            long start = System.nanoTime();
            T made = run.run();
            double seconds = (System.nanoTime() - start) / 1e9;
            try (made) {
                look.at(made);
            }
            if (i > 0) {
                best = Math.min(best, seconds);
            }
        }
        return best;
    }

    /** Writes the file afresh in 8 KiB pieces and makes it durable, as a writer that closes it does. */
    static void writeInSmallPieces(Path file, long size) throws IOException {
        byte[] piece = new byte[SMALL_WRITE];
        SplittableRandom random = new SplittableRandom(13);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long at = 0; at < size; at += SMALL_WRITE) {
                random.nextBytes(piece);
                ByteBuffer buffer = ByteBuffer.wrap(piece, 0, (int) Math.min(SMALL_WRITE, size - at));
                while (buffer.hasRemaining()) {
                    out.write(buffer, at + buffer.position());
                }
            }
            out.force(false);
        }
    }

    /** Reads the whole file through the page cache, so that it is cached. */
    private static void warm(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            long at = 0;
            int n;
            while ((n = channel.read(buffer.clear(), at)) > 0) {
                at += n;
            }
        }
    }

    /** The file's bytes in the page cache now: mincore of a fresh mapping that touches nothing. */
    private static long cachedBytes(Path file) throws IOException {
        try (Mmap m = Mmap.options().access(Access.READ).confined(true).map(file)) {
            return m.residency().residentBytes();
        }
    }

    /** Anonymous memory of this process ({@code RssAnon}): what a copy of the file costs. */
    private static long rssAnon() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("RssAnon missing from /proc/self/status");
    }

    private static long touch(MemorySegment segment) {
        long sum = 0;
        long page = SystemAlignment.pageSize();
        for (long at = 0; at < segment.byteSize(); at += page) {
            sum += segment.get(JAVA_BYTE, at);
        }
        return sum;
    }

    private static double mib(double bytes) {
        return bytes / (1 << 20);
    }

    private static Map<String, Double> without(Map<String, Double> all, String name) {
        Map<String, Double> rest = new LinkedHashMap<>(all);
        rest.remove(name);
        return rest;
    }
}
