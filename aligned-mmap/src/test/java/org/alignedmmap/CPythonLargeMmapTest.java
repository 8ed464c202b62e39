package org.alignedmmap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CPython 3.13's {@code LargeMmapTests} from {@code Lib/test/test_mmap.py}, ported to {@link
 * Mmap}: offsets beyond 4 GiB, files of 5 and 6 GiB, reads across the 2 GiB and 4 GiB
 * boundaries. The files are sparse (a seek far ahead and one write), so they cost no disk space
 * and take no time to create; a file system that refuses such a size skips the test, as CPython
 * does. CPython's 32-bit branch (OverflowError for a mapping larger than {@code sys.maxsize}) has
 * no counterpart on the 64-bit platforms the library runs on.
 */
class CPythonLargeMmapTest {
    @TempDir
    Path dir;

    /** A sparse file of {@code numZeroes} zero bytes followed by {@code tail}. */
    private Path makeTestFile(long numZeroes, byte[] tail) throws IOException {
        Path file = dir.resolve("@test_mmap_large");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(numZeroes);
            f.write(tail);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            Assumptions.abort("file system does not have large-file support: " + e);
        }
        assertThat(Files.size(file)).isEqualTo(numZeroes + tail.length);
        return file;
    }

    @Test
    @DisplayName("test_large_offset")
    void shouldMapAtAnOffsetBeyond4GiB() throws IOException {
        Path file = makeTestFile(0x14FFFFFFFL, new byte[] {' '});
        try (Mmap m = Mmap.options().length(0).offset(0x140000000L).access(Access.READ).map(file)) {
            assertThat(m.length()).isEqualTo(0x10000000L);
            assertThat(m.get(0xFFFFFFF)).isEqualTo((byte) 32);
            assertThat(m.get(0)).isZero();
        }
    }

    @Test
    @DisplayName("test_large_filesize")
    void shouldReportTheSizeOfAFileLargerThan4GiB() throws IOException {
        Path file = makeTestFile(0x17FFFFFFFL, new byte[] {' '});
        try (Mmap m = Mmap.options().length(0x10000).access(Access.READ).map(file)) {
            assertThat(m.length()).isEqualTo(0x10000);
            assertThat(m.fileSize()).isEqualTo(0x180000000L);
        }
    }

    /** Issue 11277: mmap() with large (~4 GiB) sparse files crashed on OS X. */
    private void readAroundBoundary(long boundary) throws IOException {
        byte[] tail = "  DEARdear  ".getBytes(ISO_8859_1);
        long start = boundary - tail.length / 2;
        long end = start + tail.length;
        Path file = makeTestFile(start, tail);
        try (Mmap m = Mmap.options().length(0).access(Access.READ).map(file)) {
            assertThat(m.length()).isEqualTo(end);
            assertThat(m.getBytes(start, tail.length)).isEqualTo(tail);
            assertThat(m.get(start - 1)).isZero();
        }
    }

    @Test
    @DisplayName("test_around_2GB")
    void shouldReadAcrossTheTwoGiBBoundary() throws IOException {
        readAroundBoundary(1L << 31);
    }

    @Test
    @DisplayName("test_around_4GB")
    void shouldReadAcrossTheFourGiBBoundary() throws IOException {
        readAroundBoundary(1L << 32);
    }
}
