package org.alignedmmap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.alignedmmap.testing.FileThp;
import org.alignedmmap.testing.OpenFiles;
import org.alignedmmap.testing.PageFlags;
import org.alignedmmap.testing.Skips;
import org.alignedmmap.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MmapOptions#rebuildPageCache(boolean)}: a file written the way most writers write it
 * (8 KiB pieces) is cached in small folios and gets no huge page when mapped; after a rebuild the
 * same mapping is in huge pages and the bytes are the same; bytes written through another
 * mapping and never flushed survive. /proc/self/smaps (FilePmdMapped) and mincore are the
 * witnesses. Skipped, with the reason, where this machine maps no file with huge pages.
 */
class RebuildPageCacheTest {
    private static final long PAGE = SystemAlignment.pageSize();

    @TempDir
    Path dir;

    @Test
    void shouldMapAFileWrittenInSmallPiecesWithHugePagesAfterARebuild() throws IOException {
        long huge = FileThp.requireFileHugePages(dir);
        byte[] bytes = TestFiles.randomBytes((int) (32 * huge), 13);
        Path file = FileThp.writeInSmallPieces(dir.resolve("small-writes.bin"), bytes);

        try (Mmap m = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).map(file)) {
            HugePagesTest.touchEveryPage(m.segment(), false);
            Backing backing = m.backing();
            assertThat(backing.filePmdMapped()).as("cached in small folios: %s", backing).isLessThan(huge * 32 / 20);
            HugePageReport report = m.hugePageReport();
            assertThat(report.obstacles()).as("%s", report).containsExactly(HugePageObstacle.SMALL_FOLIOS_CACHED);
            assertThat(report.findings().getFirst().evidence()).contains("cachestat", "before the mapping touched");
            // The inference, checked against the kernel's own view where this process may read it.
            assertLargestFolio(m, huge, false);
        }

        try (Mmap m = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).rebuildPageCache(true)
                .map(file)) {
            HugePagesTest.touchEveryPage(m.segment(), false);
            Backing backing = m.backing();
            assertThat(backing.filePmdMapped()).as("after a rebuild: %s", backing)
                    .isGreaterThanOrEqualTo(bytes.length / 100 * 95);
            assertThat(m.segment().mismatch(MemorySegment.ofArray(bytes))).as("first differing byte").isEqualTo(-1);
            HugePageReport report = m.hugePageReport();
            assertThat(report.hugePageFraction()).as("%s", report).isGreaterThanOrEqualTo(0.95);
            assertThat(report.findings()).as("%s", report).isEmpty();
            assertLargestFolio(m, huge, true);
        }
    }

    /**
     * Checks, with /proc/kpageflags (root only), whether the first, a middle and the last block of
     * the mapping are each one huge folio; prints why not where the flags cannot be read.
     */
    private static void assertLargestFolio(Mmap m, long huge, boolean wholeBlocks) throws IOException {
        if (!PageFlags.available()) {
            System.out.println("RebuildPageCacheTest: /proc/kpageflags is not readable (not root): "
                    + "folio sizes unchecked");
            return;
        }
        int pagesPerBlock = (int) (huge / PAGE);
        long blocks = m.length() / huge;
        for (long block : new long[] {0, blocks / 2, blocks - 1}) {
            PageFlags.Page[] pages = PageFlags.of(m.address() + block * huge, pagesPerBlock);
            int[] folio = PageFlags.folioOf(pages, 0);
            int folioPages = folio[1] - folio[0] + 1;
            if (wholeBlocks) {
                assertThat(folioPages).as("folio at block %d, in pages", block).isEqualTo(pagesPerBlock);
            } else {
                assertThat(folioPages).as("folio at block %d, in pages", block).isLessThan(pagesPerBlock);
            }
        }
    }

    @Test
    void shouldPopulateARebuiltRangeInHugePages() throws IOException {
        long huge = FileThp.requireFileHugePages(dir);
        byte[] bytes = TestFiles.randomBytes((int) (8 * huge + 12_345), 14);
        Path file = FileThp.writeInSmallPieces(dir.resolve("populated.bin"), bytes);
        try (Mmap m = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).rebuildPageCache(true)
                .populate(true).map(file)) {
            HugePageReport report = m.hugePageReport();
            assertThat(report.eligibleBytes()).isEqualTo(8 * huge);
            assertThat(report.hugePageBytes()).as("%s", report).isGreaterThanOrEqualTo(8 * huge / 100 * 95);
            assertThat(report.residentBytes()).as("populated").isEqualTo(Aligned.alignUp(bytes.length, PAGE));
            assertThat(m.segment().mismatch(MemorySegment.ofArray(bytes))).isEqualTo(-1);
        }
    }

    @Test
    void shouldKeepBytesWrittenThroughAnotherSharedMappingAndNotFlushed() throws IOException {
        long huge = FileThp.requireFileHugePages(dir);
        long length = 16 * huge;
        byte[] bytes = TestFiles.randomBytes((int) length, 15);
        Path file = FileThp.writeInSmallPieces(dir.resolve("shared.bin"), bytes);
        long[] offsets = {0, PAGE + 7, 3 * huge - 1, 9 * huge + 4 * PAGE, length - 1};

        try (Mmap writer = Mmap.options().access(Access.WRITE).map(file)) {
            for (long at : offsets) {
                writer.put(at, (byte) ~bytes[(int) at]);
                bytes[(int) at] = (byte) ~bytes[(int) at];
            }
            // Not flushed: the pages are dirty, and mapped by the writer.
            try (Mmap m = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).rebuildPageCache(true)
                    .map(file)) {
                HugePagesTest.touchEveryPage(m.segment(), false);
                assertThat(m.segment().mismatch(MemorySegment.ofArray(bytes))).as("first differing byte").isEqualTo(-1);
                // The writer's pages could not be dropped: their blocks stay small, and the report says why.
                HugePageReport report = m.hugePageReport();
                assertThat(report.hugePageBytes()).as("%s", report).isLessThan(length);
                assertThat(report.obstacles()).as("%s", report).contains(HugePageObstacle.SMALL_FOLIOS_CACHED);
                assertThat(report.findings().stream().filter(f -> f.obstacle() == HugePageObstacle.SMALL_FOLIOS_CACHED)
                        .findFirst().orElseThrow().evidence()).contains("after rebuildPageCache");
            }
            writer.put(5 * huge, (byte) ~bytes[(int) (5 * huge)]);
            bytes[(int) (5 * huge)] = (byte) ~bytes[(int) (5 * huge)];
        } // unmapped without a flush: the last write is dirty in the page cache, mapped by no one

        try (Mmap m = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).rebuildPageCache(true)
                .map(file)) {
            HugePagesTest.touchEveryPage(m.segment(), false);
            assertThat(m.segment().mismatch(MemorySegment.ofArray(bytes))).as("first differing byte").isEqualTo(-1);
            assertThat(m.backing().filePmdMapped()).as("nothing maps the file any more: %s", m.backing())
                    .isGreaterThanOrEqualTo(length / 100 * 95);
        }
        // And the file itself, read past every mapping, agrees.
        assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
    }

    @Test
    void shouldLeaveTheRangeUntouchedAndNameThat() throws IOException {
        long huge = FileThp.requireFileHugePages(dir);
        byte[] bytes = TestFiles.randomBytes((int) (4 * huge), 16);
        Path file = FileThp.writeInSmallPieces(dir.resolve("untouched.bin"), bytes);
        try (Mmap m = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).rebuildPageCache(true)
                .map(file)) {
            assertThat(PageFlags.residentPages(file)).as("dropped and not read again yet").isZero();
            HugePageReport report = m.hugePageReport();
            assertThat(report.obstacles()).as("%s", report).containsExactly(HugePageObstacle.NOT_TOUCHED);
            assertThat(report.residentBytes()).isZero();
            assertThat(report.mappedBytes()).isEqualTo(bytes.length);
            m.segment().get(JAVA_BYTE, huge + 5);
            HugePageReport touched = m.hugePageReport();
            assertThat(touched.hugePageBytes()).as("one touch, one huge page: %s", touched)
                    .isGreaterThanOrEqualTo(huge);
            assertThat(touched.obstacles()).containsExactly(HugePageObstacle.NOT_TOUCHED);
        }
    }

    @Test
    void shouldRebuildOnlyWithTransparentHugePagesAndOnlyFiles() throws IOException {
        Path file = Files.write(dir.resolve("plain.bin"), new byte[(int) PAGE]);
        long fds = OpenFiles.count();
        assertThatThrownBy(() -> Mmap.options().rebuildPageCache(true).map(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rebuildPageCache(true) needs hugePages(TRANSPARENT)")
                .hasMessageContaining("NONE");
        assertThatThrownBy(() -> Mmap.options().rebuildPageCache(true).anonymous(PAGE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rebuildPageCache applies to files only");
        assertThat(OpenFiles.count()).isEqualTo(fds);
        assertThat(Mmap.options().rebuildPageCache(true).toString()).contains("rebuildPageCache=true");
    }

    @Test
    void shouldReportAFileOffsetThatIsNotCongruentWithTheAddress() throws IOException {
        long huge = FileThp.requireFileHugePages(dir);
        Path file = writeLarge(dir.resolve("offset.bin"), 6 * huge);
        try (Mmap m = Mmap.options().access(Access.READ).align(huge).offset(PAGE).map(file)) {
            m.advise(Advice.HUGEPAGE);
            HugePagesTest.touchEveryPage(m.segment(), false);
            HugePageReport report = m.hugePageReport();
            assertThat(report.eligibleBytes()).isZero();
            assertThat(report.hugePageBytes()).isZero();
            assertThat(report.obstacles()).as("%s", report).containsExactly(HugePageObstacle.OFFSET_NOT_CONGRUENT);
            assertThat(report.findings().getFirst().evidence()).contains("file offset " + PAGE);
        }
    }

    @Test
    void shouldReportAMappingShorterThanAHugePage() throws IOException {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        long huge = HugePages.TRANSPARENT.pageSize();
        Path file = Files.write(dir.resolve("short.bin"), TestFiles.randomBytes((int) (huge / 2), 17));
        try (Mmap m = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).rebuildPageCache(true)
                .populate(true).map(file)) {
            HugePageReport report = m.hugePageReport();
            assertThat(report.obstacles()).as("%s", report).containsExactly(HugePageObstacle.SHORTER_THAN_HUGE_PAGE);
            assertThat(report.eligibleBytes()).isZero();
            assertThat(report.hugePageFraction()).isZero();
        }
    }

    @Test
    void shouldReportAFileMappingWithoutTheAdvice() throws IOException {
        long huge = FileThp.requireFileHugePages(dir);
        byte[] bytes = TestFiles.randomBytes((int) (4 * huge), 18);
        Path file = Files.write(dir.resolve("plain.bin"), bytes);
        PageFlags.evict(file);
        try (Mmap m = Mmap.options().access(Access.READ).align(huge).map(file)) {
            HugePagesTest.touchEveryPage(m.segment(), false);
            HugePageReport report = m.hugePageReport();
            assertThat(report.hugePageBytes()).as("%s", report).isZero();
            assertThat(report.obstacles()).as("%s", report).containsExactly(HugePageObstacle.NOT_ADVISED);
        }
    }

    /** A file of whole huge-page writes: cached in huge folios, no rebuild needed. */
    private static Path writeLarge(Path file, long length) throws IOException {
        byte[] bytes = TestFiles.randomBytes((int) length, 19);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer all = ByteBuffer.wrap(bytes);
            while (all.hasRemaining()) {
                out.write(all, all.position());
            }
        }
        return file;
    }
}
