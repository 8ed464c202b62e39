package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.alignedmmap.testing.OpenFiles;
import org.alignedmmap.testing.PageFlags;
import org.alignedmmap.testing.ProcMaps;
import org.alignedmmap.testing.Skips;
import org.alignedmmap.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Aligned#load(Path, HugePages, Arena)}: the file's bytes, aligned, in huge pages
 * (/proc/self/smaps), without a copy left in the page cache when the file was not cached
 * (mincore of the file), and failures that leave no mapping (/proc/self/maps) and no descriptor
 * (/proc/self/fd) behind.
 */
class AlignedLoadTest {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldLoadAnUncachedFileIntoHugePagesWithoutCachingIt() throws IOException {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        long huge = HugePages.TRANSPARENT.pageSize();
        byte[] bytes = TestFiles.randomBytes((int) (16 * huge + 12_345), 31);
        Path file = Files.write(dir.resolve("cold.bin"), bytes);
        syncAndEvict(file);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment loaded = Aligned.load(file, HugePages.TRANSPARENT, arena);
            assertThat(loaded.byteSize()).isEqualTo(bytes.length);
            assertThat(loaded.address() % huge).isZero();
            assertThat(loaded.mismatch(MemorySegment.ofArray(bytes))).as("first differing byte").isEqualTo(-1);
            Backing backing = Backing.of(loaded);
            assertThat(backing.anonHugePages()).as("%s", backing).isGreaterThanOrEqualTo(16 * huge / 10 * 9);
            if (directIoWorks(file)) {
                assertThat(PageFlags.residentPages(file)).as("read with O_DIRECT: no copy in the page cache").isZero();
            } else {
                System.out.println("AlignedLoadTest: " + file + " refuses O_DIRECT; read through the cache");
            }
            loaded.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) ~bytes[0]);
            assertThat(Files.readAllBytes(file)[0]).as("a copy: the file is not written").isEqualTo(bytes[0]);
        }
    }

    @Test
    void shouldLoadCachedAndDirtyFiles() throws IOException {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        long huge = HugePages.TRANSPARENT.pageSize();
        // Just written: dirty in the page cache.
        byte[] bytes = TestFiles.randomBytes((int) (70 * MIB + 3), 32);
        Path file = Files.write(dir.resolve("dirty.bin"), bytes);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment loaded = Aligned.load(file, HugePages.TRANSPARENT, arena);
            assertThat(loaded.mismatch(MemorySegment.ofArray(bytes))).isEqualTo(-1);
            // Cached and clean now, partly evicted: some chunks copied, others read from storage.
            syncAndEvict(file);
            try (RandomAccessFile r = new RandomAccessFile(file.toFile(), "r")) {
                r.readFully(new byte[(int) (64 * MIB)]);
            }
            MemorySegment again = Aligned.load(file, HugePages.TRANSPARENT, arena);
            assertThat(again.mismatch(MemorySegment.ofArray(bytes))).isEqualTo(-1);
            assertThat(again.address() % huge).isZero();
        }
    }

    @Test
    void shouldLoadIntoBasePagesAndLoadEmptyFiles() throws IOException {
        byte[] bytes = TestFiles.randomBytes((int) (3 * PAGE + 1), 33);
        Path file = Files.write(dir.resolve("small.bin"), bytes);
        Path empty = Files.write(dir.resolve("empty.bin"), new byte[0]);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment loaded = Aligned.load(file, HugePages.NONE, arena);
            assertThat(loaded.address() % PAGE).isZero();
            assertThat(loaded.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(bytes);
            MemorySegment nothing = Aligned.load(empty, HugePages.NONE, arena);
            assertThat(nothing.byteSize()).isZero();
        }
    }

    @Test
    void shouldLoadIntoHugetlbPagesOrNameThePool() throws IOException {
        Skips.skipUnlessAvailable(HugePages.HUGETLB_2MB);
        long size = HugePages.HUGETLB_2MB.pageSize();
        byte[] bytes = TestFiles.randomBytes((int) (2 * size + 1), 34);
        Path file = Files.write(dir.resolve("hugetlb.bin"), bytes);
        HugePagePool pool = SystemAlignment.hugePagePools().stream()
                .filter(p -> p.size() == size).findFirst().orElseThrow();
        if (pool.available() >= 3) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment loaded = Aligned.load(file, HugePages.HUGETLB_2MB, arena);
                assertThat(loaded.address() % size).isZero();
                assertThat(loaded.mismatch(MemorySegment.ofArray(bytes))).isEqualTo(-1);
                Backing backing = Backing.of(loaded);
                assertThat(backing.privateHugetlb()).as("%s", backing).isEqualTo(3 * size);
            }
            return;
        }
        System.out.println("AlignedLoadTest: the 2 MiB pool has " + pool + "; testing the failure");
        Witness witness = Witness.before(file);
        assertThatThrownBy(() -> {
            try (Arena arena = Arena.ofConfined()) {
                Aligned.load(file, HugePages.HUGETLB_2MB, arena);
            }
        }).isInstanceOf(OutOfMemoryError.class).hasMessageContaining("hugetlb.bin")
                .hasMessageContaining("nr_hugepages").hasCauseInstanceOf(ErrnoException.class);
        witness.assertNothingLeft(Aligned.alignUp(bytes.length, size), size);
    }

    @Test
    void shouldRefuseMissingFilesDirectoriesAndOtherFilesLeavingNothing() throws Exception {
        Path missing = dir.resolve("missing.bin");
        // mkfifo runs before the witness counts, and without pipes to this JVM: a Process keeps
        // its three pipe descriptors open until they are closed or collected.
        Path fifo = dir.resolve("fifo");
        boolean haveFifo = new ProcessBuilder("mkfifo", fifo.toString())
                .redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor() == 0;
        Witness witness = Witness.before(missing);
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> Aligned.load(missing, HugePages.NONE, arena))
                    .isInstanceOf(NoSuchFileException.class).hasMessageContaining("missing.bin");
            assertThatThrownBy(() -> Aligned.load(dir, HugePages.NONE, arena))
                    .isInstanceOf(FileSystemException.class).hasMessageContaining("is a directory");
            if (haveFifo) {
                assertThatThrownBy(() -> Aligned.load(fifo, HugePages.NONE, arena))
                        .isInstanceOf(FileSystemException.class).hasMessageContaining("not a regular file");
            }
        }
        // These fail before anything is mapped: the descriptors are the witness.
        witness.assertNoDescriptorLeft();
        Path file = Files.write(dir.resolve("f.bin"), new byte[10]);
        Arena closed = Arena.ofConfined();
        closed.close();
        assertThatThrownBy(() -> Aligned.load(file, HugePages.NONE, closed))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("arena must be alive");
        assertThatThrownBy(() -> Aligned.load(file, null, Arena.global())).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("kind");
    }

    @Test
    void shouldRefuseAFileLargerThanTheMemoryAvailable() throws IOException {
        long available = memAvailable();
        Path sparse = dir.resolve("sparse.bin");
        try (FileChannel out = FileChannel.open(sparse, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.truncate(0);
            out.write(java.nio.ByteBuffer.wrap(new byte[1]), available + (1L << 30)); // sparse: costs no space
        }
        Witness witness = Witness.before(sparse);
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> Aligned.load(sparse, HugePages.NONE, arena))
                    .isInstanceOf(OutOfMemoryError.class).hasMessageContaining("sparse.bin")
                    .hasMessageContaining("MemAvailable");
        }
        witness.assertNothingLeft(Aligned.alignUp(Files.size(sparse), PAGE), PAGE);
    }

    @Test
    void shouldUnmapWhenTheFileYieldsLessThanItsSize() throws IOException {
        // sysfs files claim a size of a page and hold a line: the read falls short after mapping.
        Path claimsMore = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        Skips.skipUnless(Files.isReadable(claimsMore) && Files.size(claimsMore) > Files.readAllBytes(claimsMore).length,
                claimsMore + " is not a file whose size exceeds its contents here");
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        long huge = HugePages.TRANSPARENT.pageSize();
        // Transparent: a mapping at a huge page boundary, advised, so that the kernel does not
        // merge it with a neighbour and it stays recognisable by its size.
        Witness witness = Witness.before(claimsMore);
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> Aligned.load(claimsMore, HugePages.TRANSPARENT, arena))
                    .isInstanceOf(FileSystemException.class).hasMessageContaining("shrank");
        }
        witness.assertNothingLeft(Aligned.alignUp(Files.size(claimsMore), PAGE), huge);
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** The descriptors and the mappings of this process before a failing call. */
    private record Witness(Path file, long fds, List<ProcMaps.Region> regions) {
        static Witness before(Path file) {
            return new Witness(file, OpenFiles.count(), ProcMaps.read().regions());
        }

        /** No descriptor of the file and no new descriptor. */
        void assertNoDescriptorLeft() {
            assertThat(OpenFiles.descriptorsOf(file)).as("descriptors of %s", file).isZero();
            assertThat(OpenFiles.count()).as("descriptors").isEqualTo(fds);
        }

        /**
         * Nothing left of a load that mapped {@code length} bytes at a multiple of {@code align}:
         * no descriptor, and no new mapping of exactly that kind (the JVM maps memory of its own
         * meanwhile, heap and thread stacks, never of that exact size and alignment).
         */
        void assertNothingLeft(long length, long align) {
            assertNoDescriptorLeft();
            List<ProcMaps.Region> added = ProcMaps.read().regions().stream().filter(r -> !regions.contains(r))
                    .filter(r -> r.size() == length && r.start() % align == 0).toList();
            assertThat(added).as("mappings left behind").isEmpty();
        }
    }

    private static void syncAndEvict(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        PageFlags.evict(file);
        assertThat(PageFlags.residentPages(file)).as("evicted").isZero();
    }

    private static boolean directIoWorks(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, DirectIo.DIRECT)) {
            return channel.isOpen();
        } catch (IOException e) {
            return false;
        }
    }

    private static long memAvailable() throws IOException {
        Matcher m = Pattern.compile("(?m)^MemAvailable:\\s+(\\d+) kB$")
                .matcher(Files.readString(Path.of("/proc/meminfo")));
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1)) * 1024;
    }
}
