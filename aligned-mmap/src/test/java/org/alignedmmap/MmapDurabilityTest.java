package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.alignedmmap.testing.PageFlags;
import org.alignedmmap.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Nothing lost: what is written through a shared mapping reaches the file, and {@code flush}
 * writes back exactly the pages asked for.
 *
 * <p>Witnesses. A read through the page cache sees a shared mapping's bytes at once, flushed or
 * not, so it only proves that the writes went to the right file at the right place. To see the
 * disk, the file's pages are dropped from the page cache (posix_fadvise DONTNEED, which drops
 * only clean, unmapped pages; {@link PageFlags#residentPages} must then be 0) and read again. To
 * see what a flush wrote, the pages' DIRTY flag comes from /proc/kpageflags: a page written
 * through the mapping stays dirty until written back, and msync cleans exactly what it writes.
 */
class MmapDurabilityTest {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final int PAGES = 16;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "align={0}, offset={1}")
    @CsvSource({"1, 0", "2097152, 0", "67108864, 4096"})
    void shouldPutEveryWriteOnDiskAfterFlush(long align, long offset) throws IOException {
        Path file = newFile("flushed.bin", (int) (offset + PAGES * PAGE + 123));
        byte[] expected = Files.readAllBytes(file);
        try (Mmap m = Mmap.options().align(align).offset(offset).map(file)) {
            writeThroughEveryMethod(m, expected, (int) offset);
            m.flush();
            if (PageFlags.available()) {
                assertThat(dirtyPages(m)).as("pages still dirty after flush()").isEmpty();
            }
        }
        assertThat(readFromDisk(file)).isEqualTo(expected);
    }

    @Test
    void shouldLoseNoWriteWhenClosedWithoutFlush() throws IOException {
        Path file = newFile("closed.bin", (int) (PAGES * PAGE + 1));
        byte[] expected = Files.readAllBytes(file);
        try (Mmap m = Mmap.options().align(2L << 20).map(file)) {
            writeThroughEveryMethod(m, expected, 0);
        }
        // A fresh descriptor sees every byte at once (the page cache is the file) ...
        assertThat(readThroughPageCache(file)).isEqualTo(expected);
        // ... and once written back (as the kernel will by itself), so does the disk.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(false);
        }
        assertThat(readFromDisk(file)).isEqualTo(expected);
    }

    @Test
    void shouldNeverWriteCopyOnWriteChangesToTheFile() throws IOException {
        Path file = newFile("private.bin", (int) (4 * PAGE));
        byte[] original = Files.readAllBytes(file);
        try (Mmap m = Mmap.options().access(Access.COPY).map(file)) {
            byte[] changed = original.clone();
            writeThroughEveryMethod(m, changed, 0);
            m.flush();
            assertThat(m.getBytes(0, changed.length)).isEqualTo(changed);
        }
        assertThat(readFromDisk(file)).isEqualTo(original);
    }

    /**
     * flush(offset, size) writes back the pages that hold {@code [offset, offset + size)}, no
     * fewer (the data would not be on disk) and no more (CPython's contract, and the cost).
     */
    @ParameterizedTest(name = "align={0}, file offset={1}")
    @CsvSource({"1, 0", "67108864, 4096"})
    void shouldFlushExactlyThePagesOfTheRequestedRange(long align, long fileOffset) throws Exception {
        assumeThat(PageFlags.available()).as("/proc/kpageflags needs root").isTrue();
        long[][] ranges = {
            {0, 1}, {PAGE + 100, PAGE}, {5 * PAGE, 1}, {8 * PAGE - 1, 2}, {3 * PAGE, 3 * PAGE},
            {10 * PAGE + 4095, 1}, {11 * PAGE + 1, PAGE - 2}, {15 * PAGE + 7, PAGE - 7}, {2 * PAGE, 0}};
        for (long[] range : ranges) {
            assertFlushCleansExactly(align, fileOffset, range[0], range[1]);
        }
    }

    private void assertFlushCleansExactly(long align, long fileOffset, long offset, long size) throws Exception {
        List<String> attempts = new ArrayList<>();
        // Background write-back may clean a page now and then on its own; a flush that writes
        // too much does it every time.
        for (int attempt = 0; attempt < 3; attempt++) {
            Path file = newFile("exact-" + offset + "-" + size + "-" + attempt + ".bin",
                    (int) (fileOffset + PAGES * PAGE));
            try (Mmap m = Mmap.options().align(align).offset(fileOffset).map(file)) {
                for (int page = 0; page < PAGES; page++) {
                    m.put(page * PAGE + 17, (byte) (page + 1));
                }
                PageFlags.Page[] before = PageFlags.of(m.address(), PAGES);
                if (!Arrays.stream(before).allMatch(PageFlags.Page::dirty)) {
                    attempts.add("pages written back before flush(" + offset + ", " + size + ") was called");
                    continue;
                }

                m.flush(offset, size);

                PageFlags.Page[] after = PageFlags.of(m.address(), PAGES);
                boolean[] expectClean = new boolean[PAGES];
                if (size > 0) {
                    for (long page = offset / PAGE; page <= (offset + size - 1) / PAGE; page++) {
                        // A large folio is written back as a whole.
                        int[] folio = PageFlags.folioOf(after, (int) page);
                        for (int p = folio[0]; p <= folio[1]; p++) {
                            expectClean[p] = true;
                        }
                    }
                }
                List<Integer> tooDirty = new ArrayList<>();
                List<Integer> tooClean = new ArrayList<>();
                for (int page = 0; page < PAGES; page++) {
                    if (expectClean[page] && after[page].dirty()) {
                        tooDirty.add(page);
                    } else if (!expectClean[page] && !after[page].dirty()) {
                        tooClean.add(page);
                    }
                }
                // Not written back is never the kernel's doing: that fails at once.
                assertThat(tooDirty).as("pages of flush(%d, %d) still dirty", offset, size).isEmpty();
                if (tooClean.isEmpty()) {
                    return;
                }
                attempts.add("flush(" + offset + ", " + size + ") also cleaned pages " + tooClean);
            }
        }
        throw new AssertionError(String.join("\n", attempts));
    }

    /**
     * Writes through every writing method of the mapping, and the same into {@code expected}
     * (the file's bytes, of which the mapping shows those from {@code fileOffset} on).
     */
    private static void writeThroughEveryMethod(Mmap m, byte[] expected, int fileOffset) {
        SplittableRandom random = new SplittableRandom(11);
        int length = (int) m.length();
        byte[] block = TestFiles.randomBytes(3000, 12);
        int at = random.nextInt(length - block.length);
        m.put(at, block);
        System.arraycopy(block, 0, expected, fileOffset + at, block.length);

        at = length - 1;
        m.put(at, (byte) 0x5a);
        expected[fileOffset + at] = 0x5a;

        m.seek(PAGE - 2);
        m.write(new byte[] {1, 2, 3, 4});
        System.arraycopy(new byte[] {1, 2, 3, 4}, 0, expected, (int) (fileOffset + PAGE - 2), 4);
        m.writeByte(0xff);
        expected[(int) (fileOffset + PAGE + 2)] = (byte) 0xff;

        m.move(2 * (int) PAGE, 0, 5000);
        System.arraycopy(expected.clone(), fileOffset, expected, fileOffset + 2 * (int) PAGE, 5000);

        for (int i = 0; i < 200; i++) {
            int index = random.nextInt(length);
            byte value = (byte) random.nextInt();
            if (i % 2 == 0) {
                m.segment().set(ValueLayout.JAVA_BYTE, index, value);
            } else {
                m.asByteBuffer().put(index, value);
            }
            expected[fileOffset + index] = value;
        }
        m.position(length - 10);
        ByteBuffer tail = ByteBuffer.wrap(new byte[] {9, 8, 7});
        try {
            m.write(tail);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        expected[fileOffset + length - 10] = 9;
        expected[fileOffset + length - 9] = 8;
        expected[fileOffset + length - 8] = 7;
    }

    /** A file of pseudo-random bytes written a page at a time (the page cache then holds single pages). */
    private Path newFile(String name, int size) throws IOException {
        Path file = dir.resolve(name);
        byte[] bytes = TestFiles.randomBytes(size, name.hashCode());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int at = 0; at < size; at += (int) PAGE) {
                channel.write(ByteBuffer.wrap(bytes, at, Math.min((int) PAGE, size - at)), at);
            }
            channel.force(true);
        }
        return file;
    }

    private static byte[] readThroughPageCache(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer bytes = ByteBuffer.allocate((int) channel.size());
            while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) >= 0) {
                // read on
            }
            return bytes.array();
        }
    }

    /** Reads the file with no page of it in the page cache: the bytes come from the disk. */
    private static byte[] readFromDisk(Path file) throws IOException {
        PageFlags.evict(file);
        assertThat(PageFlags.residentPages(file)).as("pages of %s still cached: they are not clean", file).isZero();
        return readThroughPageCache(file);
    }

    private static List<Integer> dirtyPages(Mmap m) throws IOException {
        int pages = (int) ((m.length() + PAGE - 1) / PAGE);
        PageFlags.Page[] flags = PageFlags.of(m.address(), pages);
        List<Integer> dirty = new ArrayList<>();
        for (int i = 0; i < pages; i++) {
            if (flags[i].dirty()) {
                dirty.add(i);
            }
        }
        return dirty;
    }
}
