package org.alignedmmap.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.alignedmmap.lucene.AlignedMMapDirectory;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;

/**
 * The Lucene suite's measurements, run in a child JVM of their own ({@link LuceneSuite} starts
 * it with the vector module and one garbage collector for every side): our directory against
 * {@code MMapDirectory} on the same index files, and {@code MMapDirectory} on a tmpfs copy mounted
 * {@code huge=always} (the ceiling), in alternating rounds. Writes its rows and notes to the result
 * file (see {@link LuceneSuite#parse}).
 *
 * <pre>
 * LuceneBench --data DIR --result FILE [--quick] [--tmpfs MOUNT_POINT]
 * </pre>
 */
final class LuceneBench {
    static final String OURS = "AlignedMMapDirectory";
    static final String OURS_REBUILD = "AlignedMMapDirectory, rebuildPageCache";
    static final String OURS_WRITTEN = "AlignedMMapDirectory, files written through it";
    static final String MMAP = "MMapDirectory";
    static final String TMPFS = "MMapDirectory, tmpfs huge=always";

    /** Hits asked of every query: the usual first page. */
    private static final int TOP = 10;
    /** HNSW candidates per KNN query (k of the query; the top {@link #TOP} are kept). */
    private static final int CANDIDATES = 100;

    /** Opens a Lucene directory on an index folder. */
    private interface Opener {
        Directory open(Path dir) throws IOException;
    }

    /** One contender: a name, the index folder it reads, and how it opens it. */
    private record Side(String name, Path dir, Opener opener) {}

    /** A side with its index open. */
    private record Open(Side side, Directory directory, DirectoryReader reader, IndexSearcher searcher) {}

    /** Work timed on one side; returns something derived from the results so that it is not optimised away. */
    private interface Work {
        long run(Open open, int iterations) throws IOException;
    }

    private final boolean quick;
    private final Progress progress;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    /** The query kinds whose top hits were the same on every side. */
    private final List<String> identical = new ArrayList<>();
    private final int rounds;
    /** How long one side's share of a text-query round lasts, roughly. */
    private final double roundSeconds;

    private LuceneBench(boolean quick, Progress progress) {
        this.quick = quick;
        this.progress = progress;
        this.rounds = quick ? 2 : 9;
        this.roundSeconds = quick ? 0.02 : 0.5;
    }

    /**
     * Runs the suite in this JVM.
     *
     * @param args see the class comment
     * @throws Exception if the suite cannot run
     */
    public static void main(String[] args) throws Exception {
        Path data = null;
        Path result = null;
        Path tmpfsMount = null;
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--result" -> result = Path.of(args[++i]);
                case "--tmpfs" -> tmpfsMount = Path.of(args[++i]);
                case "--quick" -> quick = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: LuceneBench --data DIR --result FILE [--quick] [--tmpfs MOUNT_POINT]");
            }
        }
        if (data == null || result == null) {
            throw new IllegalArgumentException("--data and --result are required");
        }
        PrintStream console = System.out;
        LuceneBench bench = new LuceneBench(quick, new Progress(console));
        bench.run(data, tmpfsMount);
        bench.write(result);
    }

    private void run(Path data, Path tmpfsMount) throws Exception {
        LuceneIndexes.Knn knnSpec = quick ? LuceneIndexes.KNN_QUICK : LuceneIndexes.KNN_FULL;
        Path knn = LuceneIndexes.knn(data, knnSpec, progress);
        Path text = LuceneIndexes.text(data, quick ? LuceneIndexes.TEXT_QUICK : LuceneIndexes.TEXT_FULL, progress);
        LuceneIndexes.Segments segmentsSpec = quick ? LuceneIndexes.SEGMENTS_QUICK : LuceneIndexes.SEGMENTS_FULL;
        Path segments = LuceneIndexes.segments(data, segmentsSpec, progress);
        notes.add(String.format(Locale.ROOT, "Lucene %s; KNN index %s (%s, .vec %s, built in %s s by IndexWriter "
                        + "through NIOFSDirectory, HNSW maxConn %d, beamWidth %d); text index %s (built in %s s); "
                        + "%d segments of %d documents, %d files. Every side searches fresh copies written for "
                        + "the run through FSDirectory outputs (8 KiB writes) and fsynced, as IndexWriter leaves "
                        + "files; our directory opens each index first. Child JVM: %s.",
                org.apache.lucene.util.Version.LATEST, knnSpec.docs() + " x " + knnSpec.dims(),
                Compare.size(TmpfsCopy.size(knn)), Compare.size(knnSpec.vectorBytes()),
                LuceneIndexes.buildSeconds(knn), knnSpec.maxConn(), knnSpec.beamWidth(), text.getFileName(),
                LuceneIndexes.buildSeconds(text), segmentsSpec.segments(), segmentsSpec.docsPerSegment(),
                fileCount(segments), String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean()
                        .getInputArguments())));

        // Every side reads fresh copies (see LuceneIndexes.freshCopy), deleted at the end.
        Path fresh = freshFolder(data, ProcessHandle.current().pid());
        try {
            progress.step("writing fresh copies of the indexes into " + fresh);
            Copies knnFresh = Copies.of(knn, fresh.resolve("knn"));
            Copies textFresh = Copies.of(text, fresh.resolve("text"));
            Path segmentsFresh = LuceneIndexes.freshCopy(segments, fresh.resolve("segments"));
            measure(knnFresh, knnSpec, textFresh, segmentsFresh, segmentsSpec, tmpfsMount);
        } finally {
            LuceneIndexes.delete(fresh);
        }
    }

    /** Where the child JVM of process id {@code pid} writes its fresh copies. */
    static Path freshFolder(Path data, long pid) {
        return data.resolve("lucene").resolve("fresh-" + pid);
    }

    /**
     * The fresh copies of one index: {@code shared}, written as IndexWriter on an FSDirectory
     * writes (read by our directory with its defaults and by MMapDirectory: the same files);
     * {@code rebuild}, another such copy for our directory with {@code rebuildPageCache} (which
     * must open its files before anything maps them); {@code written}, written through our
     * directory's own outputs, as an index is when a user adopts it for writing too.
     */
    private record Copies(Path shared, Path rebuild, Path written) {
        static Copies of(Path cached, Path dir) throws IOException {
            Path shared = LuceneIndexes.freshCopy(cached, dir.resolve("as-written"));
            Path rebuild = LuceneIndexes.freshCopy(cached, dir.resolve("rebuild"));
            Path written = dir.resolve("written-by-ours");
            try (AlignedMMapDirectory ours = new AlignedMMapDirectory(written)) {
                LuceneIndexes.copy(cached, ours);
            }
            return new Copies(shared, rebuild, written);
        }
    }

    private void measure(Copies knn, LuceneIndexes.Knn knnSpec, Copies text, Path segments,
                         LuceneIndexes.Segments segmentsSpec, Path tmpfsMount) throws Exception {
        TmpfsCopy tmpfs = null;
        Path knnCopy = null;
        Path textCopy = null;
        if (tmpfsMount != null) {
            try {
                tmpfs = TmpfsCopy.mount(tmpfsMount, TmpfsCopy.size(knn.shared()) + TmpfsCopy.size(text.shared()));
                knnCopy = tmpfs.copy(knn.shared(), "knn");
                textCopy = tmpfs.copy(text.shared(), "text");
            } catch (IOException e) {
                notes.add("No tmpfs huge=always ceiling: " + e.getMessage());
                if (tmpfs != null) {
                    tmpfs.close();
                    tmpfs = null;
                }
            }
        }
        try {
            knn(sides(knn, knnCopy), knnSpec);
            text(sides(text, textCopy), quick ? LuceneIndexes.TEXT_QUICK : LuceneIndexes.TEXT_FULL);
            openClose(List.of(new Side(OURS, segments, AlignedMMapDirectory::new),
                    new Side(MMAP, segments, MMapDirectory::new)), segmentsSpec);
            if (!identical.isEmpty()) {
                notes.add("Top " + TOP + " hits identical on every side for: " + String.join(", ", identical) + ".");
            }
        } finally {
            if (tmpfs != null) {
                tmpfs.close();
            }
        }
    }

    /**
     * The contenders on one index. Our rebuilding side opens first (it can only rebuild the page
     * cache of files nothing maps yet), and our default side before MMapDirectory on the same
     * files, for the same reason should its defaults ever rebuild.
     */
    private static List<Side> sides(Copies copies, Path tmpfsCopy) {
        List<Side> sides = new ArrayList<>();
        sides.add(new Side(OURS_REBUILD, copies.rebuild(),
                dir -> AlignedMMapDirectory.builder(dir).rebuildPageCache(true).build()));
        sides.add(new Side(OURS, copies.shared(), AlignedMMapDirectory::new));
        sides.add(new Side(MMAP, copies.shared(), MMapDirectory::new));
        sides.add(new Side(OURS_WRITTEN, copies.written(), AlignedMMapDirectory::new));
        if (tmpfsCopy != null) {
            sides.add(new Side(TMPFS, tmpfsCopy, MMapDirectory::new));
        }
        return sides;
    }

    private static boolean isOurs(String name) {
        return name.startsWith(OURS);
    }

    private void knn(List<Side> sides, LuceneIndexes.Knn spec) throws IOException {
        int count = quick ? 100 : 1_000;
        progress.step("KNN: " + count + " queries per round, " + rounds + " rounds, sides " + names(sides));
        List<Query> queries = new ArrayList<>();
        for (float[] vector : spec.queries(count)) {
            queries.add(new KnnFloatVectorQuery(LuceneIndexes.VECTOR_FIELD, vector, CANDIDATES));
        }
        Map<String, Map<String, SmapsFiles.Usage>> usage = new LinkedHashMap<>();
        List<Open> opened = openAll(sides, queries, usage);
        try {
            checkHits("KNN", opened, queries, null);
            Map<String, double[]> qps = paired(opened, (open, n) -> {
                long sink = 0;
                for (int i = 0; i < n; i++) {
                    sink += open.searcher().search(queries.get(i % queries.size()), TOP).scoreDocs[0].doc;
                }
                return sink;
            }, count);
            String operation = String.format(Locale.ROOT, "KNN search, %,d x %d floats, top %d of %d candidates",
                    spec.docs(), spec.dims(), TOP, CANDIDATES);
            rows.add(row(operation, "queries/s", true, qps,
                    Row.Goal.ratio(MMAP, 1.1, ">= 1.1x MMapDirectory (freshly written ext4 index)")));
            hugePageRows(opened, usage, List.of(".vec", ".vex"));
        } finally {
            closeAll(opened);
        }
    }

    private void text(List<Side> sides, LuceneIndexes.Text spec) throws IOException {
        SplittableRandom random = new SplittableRandom(spec.seed() + 7);
        int vocabulary = spec.vocabulary();
        List<Query> terms = new ArrayList<>();
        List<Query> and = new ArrayList<>();
        List<Query> or = new ArrayList<>();
        List<Query> sorted = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            // Ranks spread over the vocabulary on a log scale: a few very common terms, mostly rarer ones.
            terms.add(term(logRank(random, vocabulary)));
            and.add(bool(BooleanClause.Occur.MUST, logRank(random, 1_000), logRank(random, 1_000)));
            or.add(bool(BooleanClause.Occur.SHOULD, logRank(random, 1_000), logRank(random, 1_000)));
            sorted.add(term(logRank(random, 100)));
        }
        Sort byPrice = new Sort(new SortField(LuceneIndexes.PRICE_FIELD, SortField.Type.LONG));
        progress.step("text queries: " + rounds + " rounds, sides " + names(sides));
        Map<String, Map<String, SmapsFiles.Usage>> usage = new LinkedHashMap<>();
        List<Query> warm = new ArrayList<>(terms);
        warm.addAll(and);
        warm.addAll(or);
        List<Open> opened = openAll(sides, warm, usage);
        try {
            for (Open open : opened) {
                for (Query q : sorted) {
                    open.searcher().search(q, TOP, byPrice);
                }
            }
            record Kind(String operation, List<Query> queries, Sort sort) {}
            for (Kind kind : List.of(
                    new Kind("term query, top 10", terms, null),
                    new Kind("boolean AND of two terms, top 10", and, null),
                    new Kind("boolean OR of two terms, top 10", or, null),
                    new Kind("term query sorted by a numeric doc value, top 10", sorted, byPrice))) {
                checkHits(kind.operation(), opened, kind.queries(), kind.sort());
                int iterations = calibrate(opened.getFirst(), kind.queries(), kind.sort());
                Map<String, double[]> qps = paired(opened, (open, n) -> {
                    long sink = 0;
                    for (int i = 0; i < n; i++) {
                        Query q = kind.queries().get(i % kind.queries().size());
                        TopDocs top = kind.sort() == null ? open.searcher().search(q, TOP)
                                : open.searcher().search(q, TOP, kind.sort());
                        sink += top.totalHits.value();
                    }
                    return sink;
                }, iterations);
                rows.add(row(String.format(Locale.ROOT, "%s, %,d documents", kind.operation(), spec.docs()),
                        "queries/s", true, qps, Row.Goal.ratio(MMAP, 1.0, ">= 1.0x MMapDirectory")));
            }
            hugePageRows(opened, usage, List.of(".doc", ".pos", ".tim", ".dvd"));
        } finally {
            closeAll(opened);
        }
    }

    private void openClose(List<Side> sides, LuceneIndexes.Segments spec) throws IOException {
        progress.step("open + close of " + spec.segments() + " segments: " + rounds + " rounds, sides " + names(sides));
        Work work = (open, n) -> {
            long sink = 0;
            for (int i = 0; i < n; i++) {
                try (Directory directory = open.side().opener().open(open.side().dir());
                     DirectoryReader reader = DirectoryReader.open(directory)) {
                    sink += reader.maxDoc();
                }
            }
            return sink;
        };
        List<Open> placeholders = new ArrayList<>();
        for (Side side : sides) {
            placeholders.add(new Open(side, null, null, null));
        }
        // Warm-up, and the number of cycles that fills a round.
        long start = System.nanoTime();
        int warm = 0;
        while (System.nanoTime() - start < 1e9 * roundSeconds * 2 || warm < 3) {
            for (Open open : placeholders) {
                work.run(open, 1);
            }
            warm++;
        }
        double perCycle = (System.nanoTime() - start) / 1e9 / warm / placeholders.size();
        int iterations = (int) Math.max(3, roundSeconds / perCycle);
        Map<String, double[]> perSecond = paired(placeholders, work, iterations);
        Map<String, double[]> micros = new LinkedHashMap<>();
        perSecond.forEach((name, values) -> micros.put(name, Arrays.stream(values).map(v -> 1e6 / v).toArray()));
        rows.add(row(String.format(Locale.ROOT, "open + close of an index of %d segments (%d files)",
                        spec.segments(), fileCount(sides.getFirst().dir())), "us", false, micros,
                Row.Goal.ratio(MMAP, 1.0, ">= 1.0x MMapDirectory (no slower)")));
    }

    /**
     * Opens every side in order and warms it with {@code queries}, recording what the warm-up
     * added to {@code /proc/self/smaps} per file: sides that map the same files (ours and
     * MMapDirectory both read the ext4 index) are told apart by that difference.
     */
    private List<Open> openAll(List<Side> sides, List<Query> queries, Map<String, Map<String, SmapsFiles.Usage>> usage)
            throws IOException {
        List<Open> opened = new ArrayList<>();
        try {
            for (Side side : sides) {
                Map<String, SmapsFiles.Usage> before = SmapsFiles.read();
                Directory directory = side.opener().open(side.dir());
                DirectoryReader reader = DirectoryReader.open(directory);
                IndexSearcher searcher = new IndexSearcher(reader);
                // The same query again and again: a cache would measure the cache.
                searcher.setQueryCache(null);
                opened.add(new Open(side, directory, reader, searcher));
                for (Query q : queries) {
                    searcher.search(q, TOP);
                }
                usage.put(side.name(), minus(SmapsFiles.read(), before));
            }
        } catch (IOException | RuntimeException e) {
            closeAll(opened);
            throw e;
        }
        return opened;
    }

    private static Map<String, SmapsFiles.Usage> minus(Map<String, SmapsFiles.Usage> after,
                                                       Map<String, SmapsFiles.Usage> before) {
        Map<String, SmapsFiles.Usage> diff = new HashMap<>();
        after.forEach((path, u) -> {
            SmapsFiles.Usage b = before.getOrDefault(path, new SmapsFiles.Usage(0, 0));
            diff.put(path, new SmapsFiles.Usage(Math.max(0, u.rss() - b.rss()), Math.max(0, u.huge() - b.huge())));
        });
        return diff;
    }

    private static void closeAll(List<Open> opened) throws IOException {
        for (Open open : opened.reversed()) {
            open.reader().close();
            open.directory().close();
        }
    }

    /** Top hits of every side must be those of the first: the same files, the same answers. */
    private void checkHits(String what, List<Open> opened, List<Query> queries, Sort sort) throws IOException {
        int[][] expected = null;
        for (Open open : opened) {
            int[][] hits = new int[queries.size()][];
            for (int i = 0; i < queries.size(); i++) {
                TopDocs top = sort == null ? open.searcher().search(queries.get(i), TOP)
                        : open.searcher().search(queries.get(i), TOP, sort);
                hits[i] = Arrays.stream(top.scoreDocs).mapToInt(d -> d.doc).toArray();
            }
            if (expected == null) {
                expected = hits;
            } else if (!Arrays.deepEquals(expected, hits)) {
                notes.add(what + ": top " + TOP + " hits of " + open.side().name() + " differ from "
                        + opened.getFirst().side().name() + "'s");
                return;
            }
        }
        if (opened.size() > 1) {
            identical.add(what + " (" + queries.size() + " queries)");
        }
    }

    /** Iterations of a text query kind that fill about {@link #roundSeconds} on one side. */
    private int calibrate(Open open, List<Query> queries, Sort sort) throws IOException {
        int n = queries.size();
        while (true) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Query q = queries.get(i % queries.size());
                ScoreDoc[] docs = sort == null ? open.searcher().search(q, TOP).scoreDocs
                        : open.searcher().search(q, TOP, sort).scoreDocs;
                Sink.consume(docs.length);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (seconds >= roundSeconds / 4) {
                return (int) Math.max(n, n * roundSeconds / seconds);
            }
            n *= 4;
        }
    }

    /**
     * Alternating rounds: every round runs the work once on every side, starting with a different
     * side each round, so that a change of load on the shared machine is spread over all sides.
     * Returns each side's operations per second, one value per round.
     */
    private Map<String, double[]> paired(List<Open> opened, Work work, int iterations) throws IOException {
        Map<String, double[]> values = new LinkedHashMap<>();
        for (Open open : opened) {
            values.put(open.side().name(), new double[rounds]);
        }
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < opened.size(); k++) {
                Open open = opened.get((r + k) % opened.size());
                long start = System.nanoTime();
                Sink.consume(work.run(open, iterations));
                double seconds = (System.nanoTime() - start) / 1e9;
                values.get(open.side().name())[r] = iterations / seconds;
            }
        }
        return values;
    }

    /**
     * A row of medians; the spread goes to the notes: each side's range, and the per-round ratio
     * of ours (or of the tmpfs ceiling) to MMapDirectory, since rounds side by side share the load.
     */
    private Row row(String operation, String unit, boolean higherIsBetter, Map<String, double[]> values,
                    Row.Goal goal) {
        Map<String, Double> ours = new LinkedHashMap<>();
        Map<String, Double> peers = new LinkedHashMap<>();
        StringBuilder note = new StringBuilder(operation).append(": ");
        double[] base = values.get(MMAP);
        values.forEach((name, v) -> {
            (isOurs(name) ? ours : peers).put(name, median(v));
            note.append(String.format(Locale.ROOT, "%s median %s (%s-%s)", name, Report.number(median(v)),
                    Report.number(Arrays.stream(v).min().orElse(Double.NaN)),
                    Report.number(Arrays.stream(v).max().orElse(Double.NaN))));
            if (!name.equals(MMAP) && base != null) {
                double[] ratio = new double[v.length];
                int wins = 0;
                for (int i = 0; i < v.length; i++) {
                    ratio[i] = higherIsBetter ? v[i] / base[i] : base[i] / v[i];
                    wins += ratio[i] > 1 ? 1 : 0;
                }
                note.append(String.format(Locale.ROOT, ", %.3fx %s per round (%.3f-%.3f, ahead in %d of %d)",
                        median(ratio), MMAP, Arrays.stream(ratio).min().orElse(Double.NaN),
                        Arrays.stream(ratio).max().orElse(Double.NaN), wins, v.length));
            }
            note.append("; ");
        });
        notes.add(note.substring(0, note.length() - 2) + " " + unit + ".");
        return new Row(LuceneSuite.SECTION, operation, unit, higherIsBetter, ours, peers, ours.isEmpty() ? null : goal);
    }

    private void hugePageRows(List<Open> opened, Map<String, Map<String, SmapsFiles.Usage>> usage,
                              List<String> extensions) throws IOException {
        for (String extension : extensions) {
            Map<String, Double> ours = new LinkedHashMap<>();
            Map<String, Double> peers = new LinkedHashMap<>();
            long size = 0;
            for (Open open : opened) {
                Path file = largest(open.side().dir(), extension);
                if (file == null) {
                    continue;
                }
                size = Files.size(file);
                double percent = SmapsFiles.hugePercent(usage.get(open.side().name()), file);
                (isOurs(open.side().name()) ? ours : peers).put(open.side().name(), percent);
            }
            if (size > 0) {
                rows.add(new Row(LuceneSuite.SECTION, "share of the " + extension + " file (" + Compare.size(size)
                        + ") in huge pages after the warm-up", "%", true, ours, peers, null));
            }
        }
    }

    private static Path largest(Path dir, String extension) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(extension))
                    .max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length())).orElse(null);
        }
    }

    private static int fileCount(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return (int) files.filter(f -> !f.getFileName().toString().equals(LuceneIndexes.MARKER)).count();
        }
    }

    private static Query term(int rank) {
        return new TermQuery(new Term(LuceneIndexes.BODY_FIELD, LuceneIndexes.word(rank)));
    }

    private static Query bool(BooleanClause.Occur occur, int a, int b) {
        return new BooleanQuery.Builder().add(term(a), occur).add(term(b), occur).build();
    }

    /** A rank in [0, limit), uniform on a log scale. */
    private static int logRank(SplittableRandom random, int limit) {
        return (int) Math.min(limit - 1, Math.exp(random.nextDouble() * Math.log(limit)));
    }

    private static String names(List<Side> sides) {
        return String.join(", ", sides.stream().map(Side::name).toList());
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private void write(Path result) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(result)) {
            for (Row row : rows) {
                out.write(LuceneSuite.format(row));
                out.newLine();
            }
            for (String note : notes) {
                out.write("note\t" + note.replace('\t', ' ').replace('\n', ' '));
                out.newLine();
            }
        }
    }
}
