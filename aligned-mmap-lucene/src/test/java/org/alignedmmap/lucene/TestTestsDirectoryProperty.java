package org.alignedmmap.lucene;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.tests.index.RandomIndexWriter;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * {@code -Dtests.directory=org.alignedmmap.lucene.AlignedMMapDirectory} (set for this module's
 * tests in its pom): Lucene's {@code newFSDirectory()} builds this directory through its {@code
 * (Path, LockFactory)} constructor, and a random index written and searched through Lucene's
 * test wrappers works on it.
 */
public class TestTestsDirectoryProperty extends LuceneTestCase {
    public void testNewFsDirectoryIsOurs() throws Exception {
        try (Directory dir = newFSDirectory(createTempDir())) {
            assertTrue(FilterDirectory.unwrap(dir).getClass().getName(),
                    FilterDirectory.unwrap(dir) instanceof AlignedMMapDirectory);
            int docs = atLeast(200);
            try (RandomIndexWriter writer = new RandomIndexWriter(random(), dir)) {
                for (int i = 0; i < docs; i++) {
                    Document doc = new Document();
                    doc.add(new TextField("body", (i % 3 == 0 ? "fizz " : "") + "doc" + i, Field.Store.NO));
                    writer.addDocument(doc);
                }
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher searcher = newSearcher(reader);
                assertEquals((docs + 2) / 3, searcher.count(new TermQuery(new Term("body", "fizz"))));
            }
        }
    }
}
