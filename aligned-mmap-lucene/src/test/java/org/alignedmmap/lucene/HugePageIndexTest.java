package org.alignedmmap.lucene;

import static org.alignedmmap.lucene.TestIndexFixture.word;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.alignedmmap.HugePages;
import org.alignedmmap.SystemAlignment;
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
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.store.MMapDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real index, just written by {@link org.apache.lucene.index.IndexWriter} through {@link
 * AlignedMMapDirectory} into a folder under target/ (ext4 here), read back from huge pages: the
 * witness is {@code FilePmdMapped} of each file's mapping in /proc/self/smaps. The same files
 * opened with Lucene's {@link MMapDirectory} give the same hits.
 */
class HugePageIndexTest {
    private static Path folder;
    private static long hugePage;

    @BeforeAll
    static void writeIndex() throws IOException {
        folder = TestIndexFixture.shared();
        hugePage = SystemAlignment.transparentHugePageSize().orElse(0);
    }

    private static void assumeLargeFolios(Path where) throws IOException {
        assumeTrue(HugePages.TRANSPARENT.isAvailable(), "no transparent huge pages on this system");
        String fs = Smaps.fileSystemType(where);
        assumeTrue(fs.equals("ext4") || fs.equals("xfs"), "large folios need ext4 or xfs, target/ is on " + fs);
    }

    /** The files' blocks are in huge folios (written in whole blocks) and mapped with PMDs. */
    @Test
    void freshlyWrittenFilesAreReadFromHugePages() throws IOException {
        assumeLargeFolios(folder);
        try (AlignedMMapDirectory dir = new AlignedMMapDirectory(folder)) {
            assertThat(dir.usesHugePages()).isTrue();
            for (String extension : new String[] {".vec", ".doc", ".tim", ".dvd"}) {
                String name = TestIndexFixture.file(dir, extension);
                try (IndexInput in = dir.openInput(name, IOContext.DEFAULT)) {
                    long length = in.length();
                    long wholeBlocks = length / hugePage * hugePage;
                    assertThat(wholeBlocks).as("%s must span a huge page for this test to mean anything", name)
                            .isGreaterThanOrEqualTo(hugePage);
                    long address = ((AlignedIndexInput) in).mappedFile().orElseThrow().address();
                    assertThat(address % hugePage).as("address of %s", name).isZero();
                    readAll(in);
                    long pmd = Smaps.counter(address, length, "FilePmdMapped");
                    System.out.printf(Locale.ROOT, "%s: %d bytes, FilePmdMapped %d = %.1f%% of the file, "
                                    + "%.1f%% of its whole huge pages; report: %s%n", name, length, pmd,
                            100.0 * pmd / length, 100.0 * pmd / wholeBlocks,
                            AlignedMMapDirectory.hugePageReport(in).orElseThrow());
                    // Every whole block was written in one aligned write; allow for a machine short
                    // of free huge pages, but not for none at all.
                    assertThat(pmd).as("FilePmdMapped of %s", name).isGreaterThanOrEqualTo(wholeBlocks / 2);
                    assertThat(pmd).isLessThanOrEqualTo(wholeBlocks);
                }
            }
        }
    }

    /**
     * The contrast: a file written by Lucene's own output (8 KiB writes) is cached in small
     * folios, which no mapping maps with huge pages, ours included; rebuilding its page cache
     * when opening it ({@link AlignedMMapDirectory.Builder#rebuildPageCache(boolean)}) gives it
     * huge pages.
     */
    @Test
    void filesWrittenByLucenesOwnOutputNeedARebuild() throws IOException {
        assumeLargeFolios(folder);
        Path other = TestIndexFixture.newFolder("lucene-written");
        try (AlignedMMapDirectory lucenesWrites = AlignedMMapDirectory.builder(other).hugePageWrites(false).build();
             AlignedMMapDirectory rebuilding = AlignedMMapDirectory.builder(other).rebuildPageCache(true).build()) {
            long length = 3 * hugePage + 12_345;
            try (IndexOutput out = lucenesWrites.createOutput("big.bin", IOContext.DEFAULT)) {
                byte[] chunk = new byte[8192];
                new java.util.Random(7).nextBytes(chunk);
                for (long written = 0; written < length; written += chunk.length) {
                    out.writeBytes(chunk, (int) Math.min(chunk.length, length - written));
                }
            }
            long small;
            try (IndexInput in = lucenesWrites.openInput("big.bin", IOContext.DEFAULT)) {
                readAll(in);
                long address = ((AlignedIndexInput) in).mappedFile().orElseThrow().address();
                assertThat(address % hugePage).isZero();
                assertThat(Smaps.counter(address, length, "Rss")).isGreaterThanOrEqualTo(length / 2);
                small = Smaps.counter(address, length, "FilePmdMapped");
            }
            assertThat(small).as("FilePmdMapped of a file in small folios").isZero();
            try (IndexInput in = rebuilding.openInput("big.bin", IOContext.DEFAULT)) {
                readAll(in);
                long address = ((AlignedIndexInput) in).mappedFile().orElseThrow().address();
                long rebuilt = Smaps.counter(address, length, "FilePmdMapped");
                System.out.printf(Locale.ROOT, "written in 8 KiB pieces: FilePmdMapped %d; after rebuild %d of %d%n",
                        small, rebuilt, 3 * hugePage);
                assertThat(rebuilt).isGreaterThanOrEqualTo(hugePage);
            }
        } finally {
            TestIndexFixture.delete(other);
        }
    }

    @Test
    void hitsAreIdenticalToMMapDirectory() throws IOException {
        try (MMapDirectory lucene = new MMapDirectory(folder);
             AlignedMMapDirectory ours = new AlignedMMapDirectory(folder);
             DirectoryReader expectedReader = DirectoryReader.open(lucene);
             DirectoryReader actualReader = DirectoryReader.open(ours)) {
            IndexSearcher expected = new IndexSearcher(expectedReader);
            IndexSearcher actual = new IndexSearcher(actualReader);
            assertThat(actualReader.maxDoc()).isEqualTo(TestIndexFixture.DOCS);
            int compared = 0;
            for (int i = 0; i < 20; i++) {
                Query term = new TermQuery(new Term("body", word(i * 997)));
                BooleanQuery bool = new BooleanQuery.Builder()
                        .add(new TermQuery(new Term("body", word(i * 31))),
                                BooleanClause.Occur.SHOULD)
                        .add(new TermQuery(new Term("body", word(i * 7919 % TestIndexFixture.VOCABULARY))),
                                BooleanClause.Occur.SHOULD)
                        .build();
                Query knn = new KnnFloatVectorQuery("vec", TestIndexFixture.vector(TestIndexFixture.DOCS + i), 10);
                for (Query q : new Query[] {term, bool, knn}) {
                    assertSameHits(expected.search(q, 10), actual.search(q, 10), q);
                    compared++;
                }
                Sort byValue = new Sort(new SortField("value", SortField.Type.LONG));
                assertSameHits(expected.search(bool, 10, byValue), actual.search(bool, 10, byValue), bool);
            }
            assertThat(compared).isEqualTo(60);
        }
    }

    private static void assertSameHits(TopDocs expected, TopDocs actual, Query query) {
        assertThat(actual.scoreDocs.length).as("hits of %s", query).isEqualTo(expected.scoreDocs.length);
        assertThat(actual.scoreDocs.length).as("hits of %s", query).isPositive();
        for (int i = 0; i < expected.scoreDocs.length; i++) {
            ScoreDoc e = expected.scoreDocs[i];
            ScoreDoc a = actual.scoreDocs[i];
            assertThat(a.doc).as("hit %d of %s", i, query).isEqualTo(e.doc);
            // Sorted searches score nothing (NaN): compare the bits.
            assertThat(Float.floatToIntBits(a.score)).as("score of hit %d of %s", i, query)
                    .isEqualTo(Float.floatToIntBits(e.score));
        }
    }

    /** Reads every byte, in 1 MiB pieces: faults in every page of the mapping. */
    static void readAll(IndexInput in) throws IOException {
        byte[] buffer = new byte[1 << 20];
        long left = in.length();
        in.seek(0);
        while (left > 0) {
            int n = (int) Math.min(buffer.length, left);
            in.readBytes(buffer, 0, n);
            left -= n;
        }
    }
}
