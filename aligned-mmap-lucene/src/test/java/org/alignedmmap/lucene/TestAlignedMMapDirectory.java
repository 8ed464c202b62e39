package org.alignedmmap.lucene;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.store.BaseDirectoryTestCase;

/**
 * Lucene's own directory test suite ({@code BaseDirectoryTestCase} of lucene-test-framework),
 * unchanged, on {@link AlignedMMapDirectory}: every read, write, slice, clone, prefetch, isLoaded,
 * close and pending-deletion case Lucene demands of a directory. Named as Lucene names its
 * suites; runs on the JUnit vintage engine with randomizedtesting.
 */
public class TestAlignedMMapDirectory extends BaseDirectoryTestCase {
    @Override
    protected Directory getDirectory(Path path) throws IOException {
        return new AlignedMMapDirectory(path);
    }
}
