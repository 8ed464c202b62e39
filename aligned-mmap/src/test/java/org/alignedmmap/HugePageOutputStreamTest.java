package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.alignedmmap.testing.FileThp;
import org.alignedmmap.testing.OpenFiles;
import org.alignedmmap.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HugePageOutputStream}: whatever the sizes of the writes, the file has the bytes written
 * and its page cache holds it in huge folios, so that a huge page mapping made right after
 * writing is in huge pages without a rebuild (/proc/self/smaps: FilePmdMapped); the same bytes
 * written in 8 KiB pieces are not.
 */
class HugePageOutputStreamTest {
    @TempDir
    Path dir;

    @Test
    void shouldWriteAFileThatMapsWithHugePagesAtOnce() throws IOException {
        long huge = FileThp.requireFileHugePages(dir);
        byte[] bytes = TestFiles.randomBytes((int) (32 * huge + 777), 41);
        Path file = dir.resolve("stream.bin");
        try (HugePageOutputStream out = HugePageOutputStream.create(file)) {
            // Pieces of every size around 8 KiB, as a writer that knows nothing of huge pages makes.
            int at = 0;
            for (int i = 0; at < bytes.length; i++) {
                int n = Math.min(bytes.length - at, 1 + (i * 7919) % 20_000);
                if (n == 1) {
                    out.write(bytes[at]);
                } else {
                    out.write(bytes, at, n);
                }
                at += n;
                assertThat(out.position()).isEqualTo(at);
            }
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
        try (Mmap m = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).map(file)) {
            HugePagesTest.touchEveryPage(m.segment(), false);
            HugePageReport report = m.hugePageReport();
            assertThat(report.hugePageBytes()).as("%s", report).isGreaterThanOrEqualTo(32 * huge / 100 * 95);
            assertThat(report.findings()).as("%s", report).isEmpty();
        }
        // The control: the same bytes in 8 KiB writes.
        Path small = FileThp.writeInSmallPieces(dir.resolve("small.bin"), bytes);
        try (Mmap m = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).map(small)) {
            HugePagesTest.touchEveryPage(m.segment(), false);
            assertThat(m.backing().filePmdMapped()).as("8 KiB writes: %s", m.backing()).isLessThan(32 * huge / 20);
        }
    }

    @Test
    void shouldAppendAfterAnUnalignedEndAndKeepTheBytesAcrossFlushes() throws IOException {
        long block = HugePageOutputStream.blockSize();
        byte[] head = TestFiles.randomBytes((int) (block + 5), 42);
        byte[] tail = TestFiles.randomBytes((int) (3 * block + 11), 43);
        Path file = Files.write(dir.resolve("append.bin"), head);
        try (HugePageOutputStream out = HugePageOutputStream.open(file, StandardOpenOption.APPEND)) {
            assertThat(out.position()).isEqualTo(head.length);
            out.write(tail, 0, 100);
            out.flush();
            assertThat(Files.size(file)).as("flushed").isEqualTo(head.length + 100);
            out.write(MemorySegment.ofArray(Arrays.copyOfRange(tail, 100, tail.length)));
            out.sync();
            assertThat(Files.size(file)).isEqualTo(head.length + tail.length);
        }
        byte[] expected = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, expected, head.length, tail.length);
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
    }

    @Test
    void shouldRefuseReadsAndWritesAfterClose() throws IOException {
        Path file = dir.resolve("closed.bin");
        assertThatThrownBy(() -> HugePageOutputStream.open(file, StandardOpenOption.READ))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("READ");
        assertThatThrownBy(() -> HugePageOutputStream.open(file, StandardOpenOption.APPEND,
                StandardOpenOption.TRUNCATE_EXISTING)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Files.exists(file)).as("nothing created by a refused open").isFalse();
        long fds = OpenFiles.count();
        HugePageOutputStream out = HugePageOutputStream.create(file);
        out.write(1);
        out.close();
        out.close(); // idempotent
        assertThat(OpenFiles.count()).isEqualTo(fds);
        assertThat(Files.readAllBytes(file)).containsExactly(1);
        assertThatThrownBy(() -> out.write(2)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> out.write(new byte[3], 1, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> HugePageOutputStream.create(dir.resolve("no/such/dir.bin")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }
}
