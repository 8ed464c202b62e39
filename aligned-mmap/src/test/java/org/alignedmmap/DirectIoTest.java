package org.alignedmmap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.alignedmmap.internal.linux.Errno;
import org.alignedmmap.internal.linux.LibC;
import org.alignedmmap.testing.TestFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * O_DIRECT on a real file: what SystemAlignment.directIo answers, checked against what the kernel and
 * the JDK actually accept, and I/O through FileChannel with buffers from Aligned.
 */
class DirectIoTest {
    @TempDir
    Path dir;

    @BeforeEach
    void requireARealFileSystem() throws IOException {
        String type = Files.getFileStore(dir).type();
        assumeThat(type).as("the temporary directory %s is on %s; O_DIRECT needs a disk file system", dir, type)
                .isNotIn("tmpfs", "ramfs", "overlay");
    }

    @Test
    void shouldAnswerFromStatxWhereTheKernelAndFileSystemReportIt() throws IOException {
        Path file = TestFiles.randomFile(dir, "data.bin", 10_000, 1);
        DirectIoAlignment alignment = SystemAlignment.directIo(file);
        String type = Files.getFileStore(file).type();

        assertThat(alignment.fileStoreBlockSize()).isEqualTo(Files.getFileStore(file).getBlockSize());
        assertThat(alignment.fileChannel()).isEqualTo(
                Math.max(alignment.fileStoreBlockSize(), Math.max(alignment.memory(), alignment.offset())));
        if (kernelAtLeast(6, 1) && (type.equals("ext4") || type.equals("xfs"))) {
            assertThat(alignment.source()).as("%s on Linux %s", type, System.getProperty("os.version"))
                    .isEqualTo(DirectIoAlignment.Source.STATX_DIOALIGN);
        }
    }

    @Test
    void shouldAnswerWhatTheKernelDemandsOfODirectReads() throws Exception {
        Path file = TestFiles.randomFile(dir, "data.bin", 1 << 20, 2);
        DirectIoAlignment alignment = SystemAlignment.directIo(file);
        long memory = alignment.memory();
        long offset = alignment.offset();
        int fd = LibC.open(file.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC | oDirect(), 0);
        try (Arena arena = Arena.ofConfined()) {
            long page = SystemAlignment.pageSize();
            // Room to place a buffer at exactly the demanded alignment, and off it.
            MemorySegment region = Aligned.allocate(arena, 8 * (Math.max(memory, offset) + page), 64 << 10);
            MemorySegment exactlyAligned = region.asSlice(memory);  // a multiple of memory, not of 2 * memory
            // Linux 6.18 accepts a misaligned buffer as long as every page's piece of it is whole
            // blocks, so misalignment is only sure to be refused in a transfer across pages.
            long acrossPages = Aligned.alignUp(2 * page, offset);

            assertThat(pread(fd, exactlyAligned, offset, 0)).as("read of %d bytes at a %d-aligned buffer", offset,
                    memory)
                    .isEqualTo(offset);
            assertThat(pread(fd, exactlyAligned, acrossPages, offset)).isEqualTo(acrossPages);
            if (memory > 1) {
                assertThat(pread(fd, region.asSlice(memory / 2), acrossPages, 0)).as("buffer misaligned by memory/2")
                        .isEqualTo(-Errno.EINVAL);
            }
            if (offset > 1) {
                assertThat(pread(fd, exactlyAligned, offset, offset / 2)).as("file offset misaligned by offset/2")
                        .isEqualTo(-Errno.EINVAL);
                assertThat(pread(fd, exactlyAligned, offset / 2, 0)).as("length misaligned by offset/2")
                        .isEqualTo(-Errno.EINVAL);
            }
        } finally {
            LibC.close(fd);
        }
    }

    @Test
    void shouldFallBackToTheBlockDevicesLogicalBlockSizeWhereStatxIsSilent() throws IOException {
        // Directories get no STATX_DIOALIGN from ext4: the answer comes from the block device.
        DirectIoAlignment alignment = SystemAlignment.directIo(dir);
        assumeThat(alignment.source()).as("statx answered for the directory %s itself", dir)
                .isEqualTo(DirectIoAlignment.Source.LOGICAL_BLOCK_SIZE);
        long dev = (long) Files.getAttribute(dir, "unix:dev");
        // glibc's major()/minor() of a dev_t.
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        Path device = Path.of("/sys/dev/block/" + major + ":" + minor).toRealPath();
        Path queue = Files.exists(device.resolve("queue")) ? device.resolve("queue") : device.getParent()
                .resolve("queue");
        long logical = Long.parseLong(Files.readString(queue.resolve("logical_block_size")).strip());
        assertThat(alignment.memory()).isEqualTo(logical);
        assertThat(alignment.offset()).isEqualTo(logical);
    }

    @Test
    void shouldFallBackToTheFileStoreBlockSizeOnTmpfs() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeThat(Files.isDirectory(shm) && Files.getFileStore(shm).type().equals("tmpfs"))
                .as("no tmpfs at /dev/shm").isTrue();
        Path file = Files.createTempFile(shm, "aligned-mmap-", ".bin");
        try {
            DirectIoAlignment alignment = SystemAlignment.directIo(file);
            long store = Files.getFileStore(file).getBlockSize();
            assertThat(alignment).isEqualTo(
                    new DirectIoAlignment(store, store, DirectIoAlignment.Source.FILE_STORE_BLOCK_SIZE, store));
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void shouldRefuseAMissingFile() {
        assertThatThrownBy(() -> SystemAlignment.directIo(dir.resolve("absent")))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("absent");
        assertThatThrownBy(() -> DirectIo.read(dir.resolve("absent"), 0, 1, Arena.global()))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void shouldRoundTripThroughFileChannelWithDirectIoAndAlignedBuffers() throws IOException {
        Path file = dir.resolve("roundtrip.bin");
        Files.createFile(file);
        roundTrip(file);
    }

    @Test
    void shouldRoundTripOnTmpfsWhereTheKernelAllowsODirect() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeThat(Files.isDirectory(shm) && Files.getFileStore(shm).type().equals("tmpfs"))
                .as("no tmpfs at /dev/shm").isTrue();
        Path file = Files.createTempFile(shm, "aligned-mmap-", ".bin");
        try {
            try (FileChannel probe = FileChannel.open(file, StandardOpenOption.WRITE, DirectIo.DIRECT)) {
                assertThat(probe.isOpen()).isTrue();
            } catch (IOException refused) {
                assumeThat(refused).as("tmpfs on Linux %s refuses O_DIRECT (before 6.6 it did): %s",
                        System.getProperty("os.version"), refused).isNull();
            }
            roundTrip(file);
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void shouldHaveAMisalignedBufferRefusedByTheJdkButNotOurs() throws IOException {
        Path file = dir.resolve("refused.bin");
        Files.createFile(file);
        long block = SystemAlignment.directIo(file).fileChannel();
        try (Arena arena = Arena.ofConfined();
             FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, DirectIo.DIRECT)) {
            MemorySegment ours = Aligned.allocate(arena, 2 * block, block);
            ByteBuffer misaligned = ours.asSlice(block / 2, block).asByteBuffer();

            assertThatThrownBy(() -> channel.write(misaligned, 0))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("not a multiple of the block size");
            assertThat(channel.write(ours.asSlice(0, block).asByteBuffer(), 0)).isEqualTo(block);
        }
    }

    @Test
    void shouldHaveTheJdkRefuseBuffersAlignedOnlyToWhatTheKernelDemands() throws IOException {
        // The pitfall fileChannel() exists for: statx says 512 on ext4, FileChannel checks 4096.
        Path file = dir.resolve("pitfall.bin");
        Files.createFile(file);
        DirectIoAlignment alignment = SystemAlignment.directIo(file);
        assumeThat(alignment.memory()).as("the kernel demands as much as the JDK here: %s", alignment)
                .isLessThan(alignment.fileStoreBlockSize());
        long block = alignment.fileChannel();
        try (Arena arena = Arena.ofConfined();
             FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, DirectIo.DIRECT)) {
            MemorySegment region = Aligned.allocate(arena, 2 * block, block);
            ByteBuffer kernelAligned = region.asSlice(alignment.memory(), block).asByteBuffer();
            assertThatThrownBy(() -> channel.write(kernelAligned, 0))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("block size (" + alignment.fileStoreBlockSize() + ")");
        }
    }

    @Test
    void shouldReadAnUnalignedRegionWithTheHelper() throws IOException {
        long block = SystemAlignment.directIo(dir).fileChannel();
        int size = (int) (5 * block + 123);
        byte[] bytes = TestFiles.randomBytes(size, 3);
        Path file = Files.write(dir.resolve("region.bin"), bytes);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment middle = DirectIo.read(file, block + 7, 2 * block + 100, arena);
            assertThat(middle.toArray(ValueLayout.JAVA_BYTE))
                    .isEqualTo(Arrays.copyOfRange(bytes, (int) block + 7, (int) (3 * block + 107)));

            MemorySegment aligned = DirectIo.read(file, 2 * block, block, arena);
            assertThat(aligned.address() % block).isZero();
            assertThat(aligned.toArray(ValueLayout.JAVA_BYTE))
                    .isEqualTo(Arrays.copyOfRange(bytes, (int) (2 * block), (int) (3 * block)));

            MemorySegment pastTheEnd = DirectIo.read(file, 4 * block + 1, 10 * block, arena);
            assertThat(pastTheEnd.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(Arrays.copyOfRange(bytes, (int) (4 * block
                    + 1), size));

            assertThat(DirectIo.read(file, 0, size, arena).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(bytes);
            assertThat(DirectIo.read(file, size, 10, arena).byteSize()).isZero();
            assertThat(DirectIo.read(file, 100L * size, 10, arena).byteSize()).isZero();
            assertThat(DirectIo.read(file, 10, 0, arena).byteSize()).isZero();
        }
    }

    @Test
    void shouldRefuseBadArgumentsToTheHelper() throws IOException {
        Path file = TestFiles.randomFile(dir, "args.bin", 100, 4);
        Arena closed = Arena.ofConfined();
        closed.close();
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> DirectIo.read(file, -1, 10, arena))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("position")
                            .hasMessageContaining("-1");
            assertThatThrownBy(() -> DirectIo.read(file, 0, -10, arena))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length")
                            .hasMessageContaining("-10");
            assertThatThrownBy(() -> DirectIo.read(file, Long.MAX_VALUE, 1, arena))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overflow");
            assertThatThrownBy(() -> DirectIo.read(file, 0, 10, closed))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("arena");
            assertThatThrownBy(() -> DirectIo.read(null, 0, 10, arena)).isInstanceOf(NullPointerException.class)
                    .hasMessage("file");
        }
    }

    /** Writes whole blocks with O_DIRECT, reads them back with O_DIRECT and through the page cache. */
    private static void roundTrip(Path file) throws IOException {
        long block = SystemAlignment.directIo(file).fileChannel();
        int length = (int) (16 * block);
        byte[] bytes = TestFiles.randomBytes(length, 5);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = Aligned.copyOf(bytes, block, arena);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, DirectIo.DIRECT)) {
                ByteBuffer buffer = out.asByteBuffer();
                while (buffer.hasRemaining()) {
                    channel.write(buffer, buffer.position());
                }
            }
            MemorySegment in = Aligned.allocate(arena, length, block);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, DirectIo.DIRECT)) {
                ByteBuffer buffer = in.asByteBuffer();
                while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
                    // reads until full
                }
            }
            assertThat(in.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(bytes);
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
    }

    // ---- raw O_DIRECT reads, bypassing the JDK's checks, to learn what the kernel accepts ----

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle PREAD = LINKER.downcallHandle(LINKER.defaultLookup().find("pread").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG),
            Linker.Option.captureCallState("errno"));

    /** {@code pread(2)}: the byte count, or minus the errno. */
    private static long pread(int fd, MemorySegment buffer, long count, long offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long n = (long) PREAD.invokeExact(state, fd, buffer, count, offset);
            return n >= 0 ? n : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("pread downcall failed", t);
        }
    }

    /** O_DIRECT: 040000 on x86-64 and RISC-V, 0200000 on AArch64 (asm/fcntl.h). */
    private static int oDirect() {
        return System.getProperty("os.arch").equals("aarch64") ? 0200000 : 040000;
    }

    private static boolean kernelAtLeast(int major, int minor) {
        String[] version = System.getProperty("os.version").split("[.-]");
        int actualMajor = Integer.parseInt(version[0]);
        int actualMinor = Integer.parseInt(version[1]);
        return actualMajor > major || (actualMajor == major && actualMinor >= minor);
    }
}
