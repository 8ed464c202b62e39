package org.alignedmmap.lucene;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.BytesRef;

/**
 * A real index written by {@link IndexWriter} through {@link AlignedMMapDirectory}, in one
 * segment without a compound file, sized so that its postings ({@code .doc}), terms ({@code
 * .tim}), doc values ({@code .dvd}) and vectors ({@code .vec}) each span at least two huge pages
 * of 2 MiB: 150,000 documents with two random ids, twelve words of a 100,000-word vocabulary
 * (untokenized terms, so no analyzer time), a random long and 24 random bytes as doc values, and
 * 256-float vectors on the first 5,000. Written once per test JVM into a folder under target/,
 * deleted when the JVM exits.
 */
final class TestIndexFixture {
    static final int DOCS = 150_000;
    static final int VECTORS = 5_000;
    static final int DIMENSIONS = 256;
    static final int VOCABULARY = 100_000;
    static final int WORDS_PER_DOC = 12;
    static final long SEED = 0x5eed_14L;

    /** Words: single terms with frequencies, as a tokenized field would index them. */
    private static final FieldType WORD;

    static {
        FieldType type = new FieldType();
        type.setTokenized(false);
        type.setOmitNorms(true);
        type.setIndexOptions(IndexOptions.DOCS_AND_FREQS);
        type.freeze();
        WORD = type;
    }

    private static Path shared;

    private TestIndexFixture() {}

    /**
     * Returns the folder of the shared index, writing it on the first call.
     *
     * @return the folder; the tests must only read it
     * @throws IOException if writing fails
     */
    static synchronized Path shared() throws IOException {
        if (shared == null) {
            Path folder = newFolder("index");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(folder)));
            try (AlignedMMapDirectory dir = new AlignedMMapDirectory(folder)) {
                write(dir);
            }
            shared = folder;
        }
        return shared;
    }

    /** The word with this number. */
    static String word(int number) {
        return "w" + Integer.toString(number, 36);
    }

    /** The vector of document {@code doc} (or of a query, with a number past the documents). */
    static float[] vector(int doc) {
        Random random = new Random(SEED * 31 + doc);
        float[] v = new float[DIMENSIONS];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextFloat() * 2 - 1;
        }
        return v;
    }

    /**
     * Writes the index into a directory.
     *
     * @param dir an empty directory
     * @throws IOException if writing fails
     */
    static void write(Directory dir) throws IOException {
        IndexWriterConfig config = new IndexWriterConfig()
                .setUseCompoundFile(false)
                .setMergePolicy(NoMergePolicy.INSTANCE)
                .setRAMBufferSizeMB(512)
                .setMaxBufferedDocs(DOCS + 1);
        Random random = new Random(SEED);
        byte[] bytes = new byte[24];
        try (IndexWriter writer = new IndexWriter(dir, config)) {
            for (int doc = 0; doc < DOCS; doc++) {
                Document d = new Document();
                d.add(new StringField("id", Long.toHexString(random.nextLong()), Field.Store.NO));
                d.add(new StringField("uid", Long.toHexString(random.nextLong()), Field.Store.NO));
                for (int w = 0; w < WORDS_PER_DOC; w++) {
                    d.add(new Field("body", word(random.nextInt(VOCABULARY)), WORD));
                }
                d.add(new NumericDocValuesField("value", random.nextLong()));
                random.nextBytes(bytes);
                d.add(new BinaryDocValuesField("blob", new BytesRef(bytes.clone())));
                if (doc < VECTORS) {
                    d.add(new KnnFloatVectorField("vec", vector(doc), VectorSimilarityFunction.DOT_PRODUCT));
                }
                writer.addDocument(d);
            }
            writer.commit();
        }
    }

    /** A fresh folder under the build's target directory (on the project's file system, not /tmp). */
    static Path newFolder(String name) throws IOException {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        return Files.createTempDirectory(target, name);
    }

    /** Deletes a folder and everything in it. */
    static void delete(Path folder) {
        if (folder == null || !Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The one file of the index whose name ends with {@code extension}. */
    static String file(Directory dir, String extension) throws IOException {
        String found = null;
        for (String name : dir.listAll()) {
            if (name.endsWith(extension)) {
                if (found != null) {
                    throw new IllegalStateException("two files end with " + extension + ": " + found + ", " + name);
                }
                found = name;
            }
        }
        if (found == null) {
            throw new IllegalStateException("no file ends with " + extension);
        }
        return found;
    }
}
