package org.alignedmmap.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.NIOFSDirectory;
import org.apache.lucene.util.BytesRef;

/**
 * The Lucene indexes the Lucene suite searches: written once by Lucene's own {@link IndexWriter}
 * (through {@link NIOFSDirectory}, whose outputs write in 8 KiB chunks, as every FSDirectory's do)
 * and kept under {@code <data dir>/lucene/}, one folder per index whose name holds the format
 * version and every parameter, so a changed index gets a new folder instead of a stale one.
 *
 * <p>A folder counts only once its marker file ({@value #MARKER}) exists: the builder writes it
 * last, after the commit, so a build that was killed half-way is never searched; it is deleted
 * and made again. Everything is drawn from fixed seeds, so every machine builds the same index.
 *
 * <p>Built in the background with {@code java -cp ... org.alignedmmap.bench.LuceneIndexes --data DIR
 * [--quick] [knn] [text] [segments]} (the suite builds what is missing by itself too).
 */
final class LuceneIndexes {
    /** Bumped whenever what an index holds or how it is written changes. */
    static final int FORMAT = 1;
    static final String MARKER = "complete.properties";
    static final String VECTOR_FIELD = "vector";
    static final String BODY_FIELD = "body";
    static final String PRICE_FIELD = "price";
    static final String CATEGORY_FIELD = "category";

    /**
     * The KNN index: {@code docs} random vectors of {@code dims} floats, uniform in [-1, 1),
     * Euclidean distance, one segment, HNSW graph with {@code maxConn} neighbours and beam width
     * {@code beamWidth} (Lucene's defaults are 16 and 100; a beam of 50 builds about twice as fast).
     */
    record Knn(int docs, int dims, int maxConn, int beamWidth, long seed) {
        String folder() {
            return "knn-v" + FORMAT + "-" + docs + "x" + dims + "-m" + maxConn + "-b" + beamWidth + "-s" + seed;
        }

        long vectorBytes() {
            return (long) docs * dims * Float.BYTES;
        }

        /** The query vectors: drawn like the documents, from another seed. */
        float[][] queries(int count) {
            SplittableRandom random = new SplittableRandom(seed + 1);
            float[][] queries = new float[count][];
            for (int i = 0; i < count; i++) {
                queries[i] = vector(random, dims);
            }
            return queries;
        }
    }

    /**
     * The text index: {@code docs} documents of {@code words} words each, drawn from a vocabulary
     * of {@code vocabulary} made-up words with Zipf frequencies (so there are very common and rare
     * terms), plus a numeric doc value (price) and a sorted doc value (one of 100 categories).
     */
    record Text(int docs, int words, int vocabulary, long seed) {
        String folder() {
            return "text-v" + FORMAT + "-" + docs + "x" + words + "-w" + vocabulary + "-s" + seed;
        }
    }

    /**
     * The index of many small segments: {@code segments} flushes of {@code docsPerSegment} text
     * documents each, never merged, without compound files (so every segment is a dozen files).
     */
    record Segments(int segments, int docsPerSegment, long seed) {
        String folder() {
            return "segments-v" + FORMAT + "-" + segments + "x" + docsPerSegment + "-s" + seed;
        }
    }

    /** 400,000 x 768 floats: a 1.14 GiB .vec file. */
    static final Knn KNN_FULL = new Knn(400_000, 768, 16, 50, 14_768);
    static final Knn KNN_QUICK = new Knn(2_000, 32, 16, 50, 14_768);
    static final Text TEXT_FULL = new Text(1_000_000, 40, 50_000, 14_001);
    static final Text TEXT_QUICK = new Text(5_000, 20, 2_000, 14_001);
    static final Segments SEGMENTS_FULL = new Segments(200, 500, 14_002);
    static final Segments SEGMENTS_QUICK = new Segments(10, 100, 14_002);

    private LuceneIndexes() {}

    static float[] vector(SplittableRandom random, int dims) {
        float[] v = new float[dims];
        for (int i = 0; i < dims; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return v;
    }

    /** The made-up word of a vocabulary rank: short for frequent ranks, as in natural language. */
    static String word(int rank) {
        return "w" + Integer.toString(rank, 36);
    }

    /** Returns the KNN index folder, building it first if it is missing or incomplete. */
    static Path knn(Path dataDir, Knn spec, Progress progress) throws IOException {
        Path dir = dataDir.resolve("lucene").resolve(spec.folder());
        return cached(dir, progress, "KNN index " + spec, () -> {
            IndexWriterConfig config = writerConfig();
            KnnVectorsFormat format = new Lucene99HnswVectorsFormat(spec.maxConn(), spec.beamWidth());
            config.setCodec(new Lucene104Codec() {
                @Override
                public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                    return format;
                }
            });
            try (NIOFSDirectory directory = new NIOFSDirectory(dir);
                 IndexWriter writer = new IndexWriter(directory, config)) {
                SplittableRandom random = new SplittableRandom(spec.seed());
                for (int i = 0; i < spec.docs(); i++) {
                    Document doc = new Document();
                    doc.add(new KnnFloatVectorField(VECTOR_FIELD, vector(random, spec.dims()),
                            VectorSimilarityFunction.EUCLIDEAN));
                    writer.addDocument(doc);
                    if ((i + 1) % 50_000 == 0) {
                        progress.step("  " + (i + 1) + " of " + spec.docs() + " vectors added");
                    }
                }
                // One segment, so every query walks one graph over one .vec file.
                writer.forceMerge(1);
                writer.commit();
            }
        });
    }

    /** Returns the text index folder, building it first if it is missing or incomplete. */
    static Path text(Path dataDir, Text spec, Progress progress) throws IOException {
        Path dir = dataDir.resolve("lucene").resolve(spec.folder());
        return cached(dir, progress, "text index " + spec, () -> {
            try (NIOFSDirectory directory = new NIOFSDirectory(dir);
                 IndexWriter writer = new IndexWriter(directory, writerConfig())) {
                TextDocs docs = new TextDocs(spec.vocabulary(), spec.words(), spec.seed());
                for (int i = 0; i < spec.docs(); i++) {
                    writer.addDocument(docs.next());
                }
                writer.forceMerge(1);
                writer.commit();
            }
        });
    }

    /** Returns the many-segment index folder, building it first if it is missing or incomplete. */
    static Path segments(Path dataDir, Segments spec, Progress progress) throws IOException {
        Path dir = dataDir.resolve("lucene").resolve(spec.folder());
        return cached(dir, progress, "many-segment index " + spec, () -> {
            IndexWriterConfig config = writerConfig().setMergePolicy(NoMergePolicy.INSTANCE).setUseCompoundFile(false);
            try (NIOFSDirectory directory = new NIOFSDirectory(dir);
                 IndexWriter writer = new IndexWriter(directory, config)) {
                TextDocs docs = new TextDocs(5_000, 20, spec.seed());
                for (int s = 0; s < spec.segments(); s++) {
                    for (int i = 0; i < spec.docsPerSegment(); i++) {
                        writer.addDocument(docs.next());
                    }
                    writer.flush();
                }
                writer.commit();
            }
        });
    }

    private static IndexWriterConfig writerConfig() {
        // A buffer large enough that the KNN index is flushed as one segment (its 1.2 GB of vectors
        // stay under the per-thread limit of 1945 MB), so forceMerge has nothing to rebuild.
        // No compound files, flushed or merged: each file (.vec, .doc, .tim, .dvd...) is mapped on its own.
        TieredMergePolicy merges = new TieredMergePolicy();
        merges.setNoCFSRatio(0.0);
        return new IndexWriterConfig().setRAMBufferSizeMB(1_900).setOpenMode(IndexWriterConfig.OpenMode.CREATE)
                .setUseCompoundFile(false).setMergePolicy(merges);
    }

    /** Documents of Zipf-distributed words with a price and a category. */
    private static final class TextDocs {
        private final double[] cumulative;
        private final int words;
        private final SplittableRandom random;
        private final StringBuilder body = new StringBuilder();

        TextDocs(int vocabulary, int words, long seed) {
            this.words = words;
            this.random = new SplittableRandom(seed);
            cumulative = new double[vocabulary];
            double sum = 0;
            for (int rank = 0; rank < vocabulary; rank++) {
                sum += 1.0 / (rank + 1);
                cumulative[rank] = sum;
            }
            for (int rank = 0; rank < vocabulary; rank++) {
                cumulative[rank] /= sum;
            }
        }

        Document next() {
            body.setLength(0);
            for (int w = 0; w < words; w++) {
                int rank = java.util.Arrays.binarySearch(cumulative, random.nextDouble());
                body.append(word(rank < 0 ? -rank - 1 : rank)).append(' ');
            }
            Document doc = new Document();
            doc.add(new TextField(BODY_FIELD, body.toString(), Field.Store.NO));
            doc.add(new NumericDocValuesField(PRICE_FIELD, random.nextLong(1_000_000)));
            doc.add(new SortedDocValuesField(CATEGORY_FIELD,
                    new BytesRef(String.format(Locale.ROOT, "cat%03d", random.nextInt(100)))));
            return doc;
        }
    }

    private interface Build {
        void into() throws IOException;
    }

    private static Path cached(Path dir, Progress progress, String what, Build build) throws IOException {
        Path marker = dir.resolve(MARKER);
        if (isComplete(marker)) {
            return dir;
        }
        progress.step("building " + what + " in " + dir + " (once; cached for later runs)");
        deleteTree(dir);
        Files.createDirectories(dir);
        long start = System.nanoTime();
        build.into();
        double seconds = (System.nanoTime() - start) / 1e9;
        Properties properties = new Properties();
        properties.setProperty("format", Integer.toString(FORMAT));
        properties.setProperty("index", what);
        properties.setProperty("buildSeconds", String.format(Locale.ROOT, "%.1f", seconds));
        properties.setProperty("builtBy", "org.alignedmmap.bench.LuceneIndexes, Lucene "
                + org.apache.lucene.util.Version.LATEST);
        Path partial = dir.resolve(MARKER + ".partial");
        try (OutputStream out = Files.newOutputStream(partial)) {
            properties.store(out, "written last: the index in this folder is complete");
        }
        Files.move(partial, marker);
        progress.step(String.format(Locale.ROOT, "built %s in %.1f s", what, seconds));
        return dir;
    }

    private static boolean isComplete(Path marker) throws IOException {
        if (!Files.isRegularFile(marker)) {
            return false;
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(marker)) {
            properties.load(in);
        }
        return Integer.toString(FORMAT).equals(properties.getProperty("format"));
    }

    /**
     * Writes a fresh copy of the index in {@code cached} into {@code target} as Lucene writes any
     * file: through an FSDirectory output (8 KiB chunks), then fsync of the files and the folder,
     * as a commit does. So every run searches an index in the state a freshly written one is in
     * (its page cache in the small folios such writes leave), whatever earlier runs did to the
     * page cache of the cached files.
     */
    static Path freshCopy(Path cached, Path target) throws IOException {
        deleteTree(target);
        Files.createDirectories(target);
        try (NIOFSDirectory to = new NIOFSDirectory(target)) {
            return copy(cached, to);
        }
    }

    /**
     * Copies the index in {@code cached} into {@code to} through {@code to}'s own outputs, then
     * fsyncs as a commit does: with our directory, the files as it writes them.
     */
    static Path copy(Path cached, org.apache.lucene.store.FSDirectory to) throws IOException {
        Path target = to.getDirectory();
        try (NIOFSDirectory from = new NIOFSDirectory(cached)) {
            java.util.List<String> names = new java.util.ArrayList<>();
            for (String name : from.listAll()) {
                if (!name.equals(MARKER) && !name.equals(IndexWriter.WRITE_LOCK_NAME)) {
                    to.copyFrom(from, name, name, org.apache.lucene.store.IOContext.DEFAULT);
                    names.add(name);
                }
            }
            to.sync(names);
            to.syncMetaData();
        }
        return target;
    }

    /** Deletes a folder and everything in it, if it exists. */
    static void delete(Path dir) throws IOException {
        deleteTree(dir);
    }

    /** The build time the marker recorded, for the report. */
    static String buildSeconds(Path dir) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve(MARKER))) {
            properties.load(in);
        }
        return properties.getProperty("buildSeconds", "?");
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /**
     * Builds the indexes ahead of a run.
     *
     * @param args {@code --data DIR [--quick] [knn] [text] [segments]} (none named: all three)
     * @throws IOException if an index cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path data = Path.of("target", "bench", "data");
        boolean quick = false;
        java.util.Set<String> which = new java.util.LinkedHashSet<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--quick" -> quick = true;
                case "knn", "text", "segments" -> which.add(args[i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: LuceneIndexes --data DIR [--quick] [knn] [text] [segments]");
            }
        }
        if (which.isEmpty()) {
            which.addAll(java.util.List.of("knn", "text", "segments"));
        }
        PrintStream console = System.out;
        Progress progress = new Progress(console);
        for (String name : which) {
            Path dir = switch (name) {
                case "knn" -> knn(data, quick ? KNN_QUICK : KNN_FULL, progress);
                case "text" -> text(data, quick ? TEXT_QUICK : TEXT_FULL, progress);
                default -> segments(data, quick ? SEGMENTS_QUICK : SEGMENTS_FULL, progress);
            };
            progress.step(name + ": " + dir + " (built in " + buildSeconds(dir) + " s)");
        }
    }
}
