package org.alignedmmap;

import static org.alignedmmap.MmapConstants.MAP_ANONYMOUS;
import static org.alignedmmap.MmapConstants.MAP_FIXED;
import static org.alignedmmap.MmapConstants.MAP_FIXED_NOREPLACE;
import static org.alignedmmap.MmapConstants.MAP_HUGETLB;
import static org.alignedmmap.MmapConstants.MAP_NORESERVE;
import static org.alignedmmap.MmapConstants.MAP_PRIVATE;
import static org.alignedmmap.MmapConstants.MAP_SHARED;
import static org.alignedmmap.MmapConstants.MAP_SHARED_VALIDATE;
import static org.alignedmmap.MmapConstants.PROT_READ;
import static org.alignedmmap.MmapConstants.PROT_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.alignedmmap.internal.linux.LibC;
import org.alignedmmap.testing.Chattr;
import org.alignedmmap.testing.ProcessFootprint;
import org.alignedmmap.testing.TestFiles;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input to every public entry point, one case per invocation: each is refused with the
 * exception type of the parity contract and a message naming the parameter and the value, and
 * leaves nothing behind. {@link ProcessFootprint} is the witness for the process (no mapping,
 * reservation or descriptor more than before the call); after each case the test directory holds
 * the same files with the same bytes (nothing created, nothing written, no size changed).
 *
 * <p>The cases that would crash the JVM if the library regressed (Java access to a PROT_NONE
 * mapping) run in a child JVM instead: see {@link MmapFaultTest}.
 */
class MmapBadInputTest {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final long TIB = 1L << 40;
    /** The main test file: three pages and a bit, so that its end is not on a page boundary. */
    private static final int SIZE = (int) (3 * PAGE + 100);

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    private static final Class<IllegalStateException> ISE = IllegalStateException.class;
    private static final Class<IndexOutOfBoundsException> IOOBE = IndexOutOfBoundsException.class;
    private static final Class<ErrnoException> ERRNO = ErrnoException.class;
    private static final Class<NullPointerException> NPE = NullPointerException.class;

    // Linux generic open(2) flags the library itself never uses.
    private static final int O_PATH = 0x200000;

    @TempDir
    Path dir;
    Fixture fx;
    Map<Path, byte[]> filesBefore;

    /** What a case needs: files of known contents, live mappings, descriptors, arenas. */
    // close() may wait for a child process (chattr); an interrupt there should fail the test.
    @SuppressWarnings("try")
    static final class Fixture implements AutoCloseable {
        final Path dir;
        final Path file;
        final Path exact;
        final Path empty;
        final Path subdir;
        final Path missing;
        private final Deque<AutoCloseable> resources = new ArrayDeque<>();
        /** Files a case created after the directory was recorded, with their bytes. */
        final Map<Path, byte[]> created = new HashMap<>();

        Fixture(Path dir) throws IOException {
            this.dir = dir;
            file = TestFiles.randomFile(dir, "data.bin", SIZE, 77);
            exact = TestFiles.randomFile(dir, "exact.bin", (int) (2 * PAGE), 78);
            empty = Files.write(dir.resolve("empty.bin"), new byte[0]);
            subdir = Files.createDirectory(dir.resolve("subdir"));
            missing = dir.resolve("missing.bin");
        }

        /** A live mapping, closed after the case. */
        Mmap map(MmapOptions options) throws IOException {
            Mmap m = options.map(file);
            resources.push(m);
            return m;
        }

        /** A live read-write shared mapping of the main file. */
        Mmap live() throws IOException {
            return map(Mmap.options());
        }

        Mmap anonymous(MmapOptions options, long length) throws IOException {
            Mmap m = options.anonymous(length);
            resources.push(m);
            return m;
        }

        /** A mapping that is already closed. */
        Mmap closed() throws IOException {
            Mmap m = Mmap.options().map(file);
            m.close();
            return m;
        }

        /** A raw descriptor, closed after the case. */
        int open(Path path, int flags) throws IOException {
            int fd = LibC.open(path.toString(), flags | LibC.O_CLOEXEC, 0);
            resources.push(() -> LibC.close(fd));
            return fd;
        }

        /** A file with an attribute set by chattr (+i immutable, +a append-only); skips without it. */
        Path withAttribute(String name, String attribute) throws Exception {
            Path path = TestFiles.randomFile(dir, name, SIZE, 79);
            created.put(path, Files.readAllBytes(path));
            Assumptions.assumeTrue(Chattr.run("+" + attribute, path), "chattr +" + attribute + " needs ext4 and root");
            resources.push(() -> Chattr.run("-" + attribute, path));
            return path;
        }

        Path fifo() throws Exception {
            Path fifo = dir.resolve("fifo");
            Process p = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            Assumptions.assumeTrue(p.waitFor() == 0, "mkfifo failed");
            created.put(fifo, new byte[0]);
            return fifo;
        }

        static Arena closedArena() {
            Arena arena = Arena.ofShared();
            arena.close();
            return arena;
        }

        /** A confined arena whose owner thread has ended: nobody else may use it. */
        static Arena foreignArena() throws InterruptedException {
            AtomicReference<Arena> arena = new AtomicReference<>();
            Thread owner = new Thread(() -> arena.set(Arena.ofConfined()));
            owner.start();
            owner.join();
            return arena.get();
        }

        Arena arena() {
            Arena arena = Arena.ofShared();
            resources.push(arena);
            return arena;
        }

        /** A descriptor number that is not open here. */
        static int unusedDescriptor() {
            for (int fd = 19_999; fd > 1_000; fd--) {
                if (!Files.exists(Path.of("/proc/self/fd/" + fd), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    return fd;
                }
            }
            throw new IllegalStateException("no free descriptor number");
        }

        @Override
        public void close() throws Exception {
            while (!resources.isEmpty()) {
                resources.pop().close();
            }
        }
    }

    /** Prepares a case (maps, opens; outside the witnessed window) and returns the bad call. */
    interface Setup {
        ThrowingCallable prepare(Fixture fx) throws Exception;
    }

    /**
     * One bad input.
     *
     * @param type the exception expected, or null when the call must return normally
     * @param fragments what the message must contain: the parameter and its value; for an
     *     {@link ErrnoException}, its errno name among them
     */
    record Case(String name, Setup setup, Class<? extends Throwable> type, String... fragments) {
        @Override
        public String toString() {
            return name;
        }

        void check(Throwable thrown) {
            if (type == null) {
                assertThat(thrown).as(name).isNull();
                return;
            }
            assertThat(thrown).as(name).isInstanceOf(type);
            if (fragments.length > 0) {
                assertThat(thrown.getMessage()).as("message of %s", name).contains(fragments);
            }
            if (thrown instanceof ErrnoException e) {
                assertThat(e.errnoName()).as("errno of %s", name).isIn((Object[]) fragments);
                assertThat(e.call()).isNotEmpty();
            }
        }
    }

    private static Case refuse(String name, Setup setup, Class<? extends Throwable> type, String... fragments) {
        return new Case(name, setup, type, fragments);
    }

    /** A call that must return normally (and checks its result itself). */
    private static Case accept(String name, Setup setup) {
        return new Case(name, setup, null);
    }

    static Stream<Case> cases() {
        long past = 4 * PAGE;
        return Stream.of(
                // ---- alignment ----
                refuse("align(0)", fx -> () -> Mmap.options().align(0), IAE, "align", "was 0"),
                refuse("align(3)", fx -> () -> Mmap.options().align(3), IAE, "align", "was 3"),
                refuse("align(-4096)", fx -> () -> Mmap.options().align(-4096), IAE, "align", "was -4096"),
                refuse("align(Long.MIN_VALUE), a single bit but negative",
                        fx -> () -> Mmap.options().align(Long.MIN_VALUE), IAE, "align", "was " + Long.MIN_VALUE),
                refuse("align(2^62) of anonymous memory: no address space that large",
                        fx -> () -> Mmap.options().align(1L << 62).anonymous(PAGE), ERRNO, "ENOMEM",
                        "at align " + (1L << 62)),
                refuse("align(2^62) of a file: the descriptor is closed again",
                        fx -> () -> Mmap.options().align(1L << 62).map(fx.file), ERRNO, "ENOMEM",
                        "at align " + (1L << 62)),
                refuse("align(2^47) of a file descriptor: more than the user address space",
                        fx -> {
                            int fd = fx.open(fx.file, LibC.O_RDWR);
                            return () -> Mmap.options().align(1L << 47).map(fd);
                        }, ERRNO, "ENOMEM", "at align " + (1L << 47)),
                refuse("Aligned.allocate with align 0",
                        fx -> () -> Aligned.allocate(fx.arena(), 64, 0), IAE, "align", "was 0"),
                refuse("Aligned.allocate with align 3",
                        fx -> () -> Aligned.allocate(fx.arena(), 64, 3), IAE, "align", "was 3"),
                refuse("Aligned.allocate with align 2^62: OutOfMemoryError",
                        fx -> () -> Aligned.allocate(fx.arena(), 1, 1L << 62), OutOfMemoryError.class,
                        "at align " + (1L << 62), "ENOMEM"),
                refuse("Aligned.isAligned with align 6",
                        fx -> () -> Aligned.isAligned(4096L, 6), IAE, "align", "was 6"),

                // ---- length ----
                refuse("length(-1)", fx -> () -> Mmap.options().length(-1), IAE, "length", "was -1"),
                refuse("anonymous(0)", fx -> () -> Mmap.options().anonymous(0), IAE, "length must be > 0", "was 0"),
                refuse("anonymous(-1)", fx -> () -> Mmap.options().anonymous(-1), IAE, "length", "was -1"),
                refuse("length one byte past the end of the file",
                        fx -> () -> Mmap.options().length(SIZE + 1).map(fx.file), IAE,
                        "length " + (SIZE + 1), "size " + SIZE),
                refuse("offset + length past the end of the file",
                        fx -> () -> Mmap.options().offset(PAGE).length(SIZE).map(fx.file), IAE,
                        "offset " + PAGE + " + length " + SIZE, "size " + SIZE),
                refuse("length Long.MAX_VALUE of a file",
                        fx -> () -> Mmap.options().length(Long.MAX_VALUE).map(fx.file), IAE,
                        "length " + Long.MAX_VALUE, "size " + SIZE),
                refuse("anonymous(2^62): beyond the address space",
                        fx -> () -> Mmap.options().anonymous(1L << 62), ERRNO, "ENOMEM", "length=" + (1L << 62)),
                refuse("anonymous(Long.MAX_VALUE) at align 2 MiB: cannot be rounded to pages",
                        fx -> () -> Mmap.options().align(2L << 20).anonymous(Long.MAX_VALUE), IAE,
                        "length " + Long.MAX_VALUE, "address space"),
                refuse("anonymous 1 TiB without MAP_NORESERVE: more than memory can back",
                        fx -> {
                            assumeOvercommitRefuses(TIB);
                            return () -> Mmap.options().anonymous(TIB);
                        }, ERRNO, "ENOMEM", "length=" + TIB),
                refuse("anonymous 1 TiB private at align 2 MiB: reserved, then refused inside the reservation",
                        fx -> {
                            assumeOvercommitRefuses(TIB);
                            return () -> Mmap.options().access(Access.COPY).align(2L << 20).anonymous(TIB);
                        }, ERRNO, "ENOMEM", "MAP_FIXED", "length=" + TIB),
                refuse("Aligned.allocate 1 TiB at align 2 MiB: OutOfMemoryError",
                        fx -> {
                            assumeOvercommitRefuses(TIB);
                            return () -> Aligned.allocate(fx.arena(), TIB, 2L << 20);
                        }, OutOfMemoryError.class, "cannot map " + TIB + " bytes", "ENOMEM"),
                refuse("Aligned.allocate size -1",
                        fx -> () -> Aligned.allocate(fx.arena(), -1, 64), IAE, "size", "was -1"),
                refuse("Aligned.allocate size + align overflows",
                        fx -> () -> Aligned.allocate(fx.arena(), Long.MAX_VALUE - 10, 64), IAE,
                        "size=" + (Long.MAX_VALUE - 10), "align=64"),
                refuse("Aligned.allocateDirect capacity -1",
                        fx -> () -> Aligned.allocateDirect(-1, 64), IAE, "capacity", "was -1"),

                // ---- offset ----
                refuse("offset(-4096)", fx -> () -> Mmap.options().offset(-PAGE), IAE, "offset", "was -" + PAGE),
                refuse("offset(100): not a multiple of the page size",
                        fx -> () -> Mmap.options().offset(100), IAE, "allocation granularity " + PAGE, "was 100"),
                refuse("offset past the end of the file",
                        fx -> () -> Mmap.options().offset(past).map(fx.file), IAE, "offset " + past, "size " + SIZE),
                refuse("offset at the end of the file with length 0",
                        fx -> () -> Mmap.options().offset(2 * PAGE).map(fx.exact), IAE,
                        "offset " + 2 * PAGE, "at or past the end"),
                refuse("offset for anonymous memory",
                        fx -> () -> Mmap.options().offset(PAGE).anonymous(PAGE), IAE, "offset", String.valueOf(PAGE)),

                // ---- files ----
                refuse("empty file with length 0", fx -> () -> Mmap.options().map(fx.empty), IAE,
                        "empty file", "size 0"),
                refuse("empty file with a length", fx -> () -> Mmap.options().length(PAGE).map(fx.empty), IAE,
                        "length " + PAGE, "size 0"),
                refuse("directory instead of a file", fx -> () -> Mmap.options().map(fx.subdir),
                        FileSystemException.class, "subdir", "is a directory"),
                refuse("directory instead of a file, READ",
                        fx -> () -> Mmap.options().access(Access.READ).map(fx.subdir),
                        FileSystemException.class, "subdir", "is a directory"),
                refuse("missing file: reported, not created", fx -> () -> Mmap.options().map(fx.missing),
                        NoSuchFileException.class, "missing.bin", "ENOENT"),
                refuse("missing file, WRITE: not created either",
                        fx -> () -> Mmap.options().access(Access.WRITE).align(2L << 20).map(fx.missing),
                        NoSuchFileException.class, "missing.bin", "ENOENT"),
                refuse("immutable file (chattr +i) mapped WRITE",
                        fx -> {
                            Path locked = fx.withAttribute("immutable.bin", "i");
                            return () -> Mmap.options().access(Access.WRITE).map(locked);
                        }, AccessDeniedException.class, "immutable.bin", "EPERM"),
                refuse("immutable file (chattr +i) mapped DEFAULT (read-write shared)",
                        fx -> {
                            Path locked = fx.withAttribute("immutable.bin", "i");
                            return () -> Mmap.options().align(64L << 20).map(locked);
                        }, AccessDeniedException.class, "immutable.bin", "EPERM"),
                refuse("append-only file (chattr +a) mapped WRITE",
                        fx -> {
                            Path appendOnly = fx.withAttribute("append.bin", "a");
                            return () -> Mmap.options().access(Access.WRITE).map(appendOnly);
                        }, AccessDeniedException.class, "append.bin", "EPERM"),
                refuse("FIFO mapped READ: refused at once instead of waiting for a writer",
                        fx -> {
                            Path fifo = fx.fifo();
                            // Before the fix this waited forever; the timeout turns that into a failure.
                            return () -> assertTimeoutPreemptively(Duration.ofSeconds(10),
                                    () -> Mmap.options().access(Access.READ).map(fifo));
                        }, IAE, "fifo", "needs a regular file"),
                refuse("path on another file system",
                        fx -> () -> Mmap.options().map(FileSystems.getFileSystem(URI.create("jrt:/"))
                                .getPath("modules/java.base/java/lang/Object.class")), IAE,
                        "default file system", "jrt:/"),
                refuse("null path", fx -> () -> Mmap.options().map((Path) null), NPE, "path"),

                // ---- descriptors ----
                refuse("fd -1", fx -> () -> Mmap.options().map(-1), IAE, "fd", "was -1"),
                refuse("fd that is not open", fx -> {
                    int fd = Fixture.unusedDescriptor();
                    return () -> Mmap.options().map(fd);
                }, IAE, "not an open file descriptor", "EBADF"),
                refuse("fd of a directory", fx -> {
                    int fd = fx.open(fx.subdir, LibC.O_RDONLY);
                    return () -> Mmap.options().map(fd);
                }, IAE, "fd " , "refers to a directory"),
                refuse("fd opened O_RDONLY mapped WRITE: the duplicate is closed again", fx -> {
                    int fd = fx.open(fx.file, LibC.O_RDONLY);
                    return () -> Mmap.options().access(Access.WRITE).map(fd);
                }, ERRNO, "EACCES", "PROT_READ|PROT_WRITE", "MAP_SHARED"),
                refuse("fd opened O_RDONLY mapped DEFAULT at align 1 GiB: the reservation is released", fx -> {
                    int fd = fx.open(fx.file, LibC.O_RDONLY);
                    return () -> Mmap.options().align(1L << 30).map(fd);
                }, ERRNO, "EACCES", "MAP_FIXED"),
                refuse("fd opened O_WRONLY mapped READ", fx -> {
                    int fd = fx.open(fx.file, LibC.O_WRONLY);
                    return () -> Mmap.options().access(Access.READ).map(fd);
                }, ERRNO, "EACCES", "PROT_READ"),
                refuse("fd opened O_PATH", fx -> {
                    int fd = fx.open(fx.file, O_PATH);
                    return () -> Mmap.options().access(Access.READ).map(fd);
                }, ERRNO, "EBADF", "mmap("),
                refuse("fd of /dev/null with length 0", fx -> {
                    int fd = fx.open(Path.of("/dev/null"), LibC.O_RDWR);
                    return () -> Mmap.options().map(fd);
                }, IAE, "length 0", "needs a regular file"),
                refuse("fd of /dev/null with a length", fx -> {
                    int fd = fx.open(Path.of("/dev/null"), LibC.O_RDWR);
                    return () -> Mmap.options().length(PAGE).map(fd);
                }, ERRNO, "ENODEV", "length=" + PAGE),

                // ---- access, flags, prot ----
                refuse("access READ with flags",
                        fx -> () -> Mmap.options().access(Access.READ).flags(MAP_PRIVATE).map(fx.file), IAE,
                        "access READ", "flags MAP_PRIVATE"),
                refuse("access WRITE with prot",
                        fx -> () -> Mmap.options().access(Access.WRITE).prot(PROT_READ).map(fx.file), IAE,
                        "access WRITE", "prot PROT_READ"),
                refuse("access COPY with flags and prot, anonymous",
                        fx -> () -> Mmap.options().flags(MAP_SHARED).prot(PROT_READ | PROT_WRITE)
                                .access(Access.COPY).anonymous(PAGE), IAE,
                        "access COPY", "flags MAP_SHARED", "prot PROT_READ|PROT_WRITE"),
                refuse("flags without a sharing type", fx -> () -> Mmap.options().flags(MAP_NORESERVE), IAE,
                        "exactly one of MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE", "MAP_NORESERVE"),
                refuse("flags with conflicting sharing bits (0x5)", fx -> () -> Mmap.options().flags(0x05), IAE,
                        "exactly one of", "MAP_TYPE=0x5"),
                refuse("flags with MAP_FIXED", fx -> () -> Mmap.options().flags(MAP_SHARED | MAP_FIXED), IAE,
                        "MAP_FIXED", "was MAP_SHARED|MAP_FIXED"),
                refuse("flags with MAP_FIXED_NOREPLACE",
                        fx -> () -> Mmap.options().flags(MAP_PRIVATE | MAP_FIXED_NOREPLACE), IAE,
                        "MAP_FIXED_NOREPLACE", "was MAP_PRIVATE|MAP_FIXED_NOREPLACE"),
                refuse("flags with MAP_ANONYMOUS for a file",
                        fx -> () -> Mmap.options().flags(MAP_SHARED | MAP_ANONYMOUS).map(fx.file), IAE,
                        "MAP_ANONYMOUS", "anonymous(length)"),
                refuse("flags MAP_SHARED_VALIDATE with MAP_SYNC on a file system without DAX",
                        fx -> () -> Mmap.options().flags(MAP_SHARED_VALIDATE | 0x80000).map(fx.file), ERRNO,
                        "EOPNOTSUPP", "MAP_SHARED_VALIDATE"),
                refuse("flags MAP_HUGETLB on an ext4 file",
                        fx -> () -> Mmap.options().flags(MAP_SHARED | MAP_HUGETLB).align(1L << 30).map(fx.file),
                        ERRNO, "EINVAL", "MAP_HUGETLB"),
                refuse("hugetlb anonymous memory with an empty pool",
                        fx -> {
                            assumeEmptyHugePagePool();
                            return () -> Mmap.options().flags(MAP_PRIVATE | MAP_HUGETLB).anonymous(2L << 20);
                        }, ERRNO, "ENOMEM", "MAP_HUGETLB"),
                refuse("prot with an unknown bit", fx -> () -> Mmap.options().prot(0x10), IAE, "prot", "0x10"),

                // ---- position and ranges on a live mapping ----
                refuse("seek(-1)", fx -> {
                    Mmap m = fx.live();
                    return () -> m.seek(-1);
                }, IAE, "seek out of range", "offset -1"),
                refuse("seek(length + 1)", fx -> {
                    Mmap m = fx.live();
                    return () -> m.seek(SIZE + 1);
                }, IAE, "seek out of range", "offset " + (SIZE + 1), "length " + SIZE),
                refuse("seek(Long.MAX_VALUE, CURRENT) overflowing", fx -> {
                    Mmap m = fx.live();
                    m.seek(1);
                    return () -> m.seek(Long.MAX_VALUE, Whence.CURRENT);
                }, IAE, "seek out of range", "offset " + Long.MAX_VALUE, "CURRENT"),
                refuse("seek(-1, END) past the start", fx -> {
                    Mmap m = fx.live();
                    return () -> m.seek(-SIZE - 1, Whence.END);
                }, IAE, "seek out of range", "offset " + (-SIZE - 1), "END"),
                refuse("seek with null whence", fx -> {
                    Mmap m = fx.live();
                    return () -> m.seek(0, null);
                }, NPE, "whence"),
                refuse("position(-1)", fx -> {
                    Mmap m = fx.live();
                    return () -> m.position(-1);
                }, IAE, "position", "was -1"),
                refuse("readByte at the end", fx -> {
                    Mmap m = fx.live();
                    m.seek(SIZE);
                    return m::readByte;
                }, IAE, "read byte out of range", "position " + SIZE),
                accept("read past the end returns what remains", fx -> {
                    Mmap m = fx.live();
                    m.seek(SIZE - 5);
                    return () -> {
                        m.seek(SIZE - 5);
                        assertThat(m.read(100)).hasSize(5);
                        assertThat(m.read(100)).isEmpty();
                    };
                }),
                refuse("get(length)", fx -> {
                    Mmap m = fx.live();
                    return () -> m.get(SIZE);
                }, IOOBE, String.valueOf(SIZE)),
                refuse("get(-1)", fx -> {
                    Mmap m = fx.live();
                    return () -> m.get(-1);
                }, IOOBE, "-1"),
                refuse("getBytes crossing the end", fx -> {
                    Mmap m = fx.live();
                    return () -> m.getBytes(SIZE - 1, 2);
                }, IOOBE, String.valueOf(SIZE - 1), String.valueOf(SIZE)),
                refuse("get into a destination too small", fx -> {
                    Mmap m = fx.live();
                    return () -> m.get(0, new byte[4], 2, 3);
                }, IOOBE, "2", "3", "4"),
                refuse("put(length, byte)", fx -> {
                    Mmap m = fx.live();
                    return () -> m.put(SIZE, (byte) 1);
                }, IOOBE, String.valueOf(SIZE)),
                refuse("put(bytes) crossing the end: nothing written", fx -> {
                    Mmap m = fx.live();
                    return () -> m.put(SIZE - 2, new byte[] {1, 2, 3});
                }, IOOBE, String.valueOf(SIZE - 2), String.valueOf(SIZE)),
                refuse("write crossing the end: nothing written", fx -> {
                    Mmap m = fx.live();
                    m.seek(SIZE - 2);
                    return () -> m.write(new byte[] {1, 2, 3});
                }, IAE, "data out of range", "3 bytes at position " + (SIZE - 2), "length " + SIZE),
                refuse("writeByte at the end", fx -> {
                    Mmap m = fx.live();
                    m.seek(SIZE);
                    return () -> m.writeByte(1);
                }, IAE, "write byte out of range", "position " + SIZE),
                refuse("writeByte(256)", fx -> {
                    Mmap m = fx.live();
                    return () -> m.writeByte(256);
                }, IAE, "value", "was 256"),
                refuse("write(data, -1, 2)", fx -> {
                    Mmap m = fx.live();
                    return () -> m.write(new byte[4], -1, 2);
                }, IOOBE, "-1"),
                refuse("move with the destination past the end", fx -> {
                    Mmap m = fx.live();
                    return () -> m.move(SIZE, 0, 1);
                }, IAE, "source, destination, or count out of range", "dest " + SIZE),
                refuse("move with the source range crossing the end", fx -> {
                    Mmap m = fx.live();
                    return () -> m.move(0, SIZE - 1, 2);
                }, IAE, "source, destination, or count out of range", "src " + (SIZE - 1), "count 2"),
                refuse("move with a negative count", fx -> {
                    Mmap m = fx.live();
                    return () -> m.move(0, 1, -1);
                }, IAE, "out of range", "count -1"),
                refuse("flush with the offset past the end", fx -> {
                    Mmap m = fx.live();
                    return () -> m.flush(SIZE + 1, 0);
                }, IAE, "flush values out of range", "offset " + (SIZE + 1)),
                refuse("flush(-1, 1)", fx -> {
                    Mmap m = fx.live();
                    return () -> m.flush(-1, 1);
                }, IAE, "flush values out of range", "offset -1"),
                refuse("flush(1, Long.MAX_VALUE)", fx -> {
                    Mmap m = fx.live();
                    return () -> m.flush(1, Long.MAX_VALUE);
                }, IAE, "flush values out of range", "size " + Long.MAX_VALUE),
                refuse("advise with the start out of bounds", fx -> {
                    Mmap m = fx.live();
                    return () -> m.advise(Advice.WILLNEED, SIZE);
                }, IAE, "madvise start out of bounds", "start " + SIZE),
                refuse("advise with a negative length", fx -> {
                    Mmap m = fx.live();
                    return () -> m.advise(Advice.WILLNEED, 0, -1);
                }, IAE, "madvise length invalid", "-1"),
                refuse("advise with a start off the page", fx -> {
                    Mmap m = fx.live();
                    return () -> m.advise(Advice.DONTNEED, 1, 10);
                }, IAE, "multiple of the page size", "was 1"),
                refuse("advise with start + length overflowing", fx -> {
                    Mmap m = fx.live();
                    return () -> m.advise(Advice.NORMAL, PAGE, Long.MAX_VALUE);
                }, IAE, "madvise length too large", "length " + Long.MAX_VALUE),
                refuse("advise(null)", fx -> {
                    Mmap m = fx.live();
                    return () -> m.advise(null);
                }, NPE, "advice"),
                refuse("find(null)", fx -> {
                    Mmap m = fx.live();
                    return () -> m.find(null);
                }, NPE, "sub"),
                accept("find and rfind beyond the end find nothing (slice rules, as CPython)", fx -> {
                    Mmap m = fx.live();
                    return () -> {
                        assertThat(m.find(new byte[] {0}, SIZE + 10, Long.MAX_VALUE)).isEqualTo(-1);
                        assertThat(m.rfind(new byte[] {0}, SIZE, Long.MIN_VALUE)).isEqualTo(-1);
                        assertThat(m.find(new byte[SIZE + 1])).isEqualTo(-1);
                    };
                }),
                refuse("asByteBuffer window past the end", fx -> {
                    Mmap m = fx.live();
                    return () -> m.asByteBuffer(SIZE, 1);
                }, IOOBE, String.valueOf(SIZE)),
                refuse("asByteBuffer() of 3 GiB", fx -> {
                    Mmap m = fx.anonymous(Mmap.options().flags(MAP_PRIVATE | MAP_NORESERVE), 3L << 30);
                    return m::asByteBuffer;
                }, UnsupportedOperationException.class, String.valueOf(3L << 30), "asByteBuffer(offset, length)"),
                refuse("channel read into a read-only buffer", fx -> {
                    Mmap m = fx.live();
                    return () -> m.read(ByteBuffer.allocate(8).asReadOnlyBuffer());
                }, ReadOnlyBufferException.class),
                refuse("channel write at the end", fx -> {
                    Mmap m = fx.live();
                    m.position(SIZE);
                    return () -> m.write(ByteBuffer.allocate(8));
                }, IOException.class, "no room at position " + SIZE),
                refuse("truncate(-1)", fx -> {
                    Mmap m = fx.live();
                    return () -> m.truncate(-1);
                }, IAE, "size", "was -1"),

                // ---- read-only mappings and resize ----
                refuse("put on a READ mapping", fx -> {
                    Mmap m = fx.map(Mmap.options().access(Access.READ));
                    return () -> m.put(0, (byte) 1);
                }, ReadOnlyBufferException.class, "put", "readonly"),
                refuse("write on a mapping with prot PROT_READ", fx -> {
                    Mmap m = fx.map(Mmap.options().prot(PROT_READ));
                    return () -> m.write(new byte[] {1});
                }, ReadOnlyBufferException.class, "write", "readonly"),
                refuse("move on a READ mapping", fx -> {
                    Mmap m = fx.map(Mmap.options().access(Access.READ));
                    return () -> m.move(0, 1, 1);
                }, ReadOnlyBufferException.class, "move", "readonly"),
                refuse("writing through the segment of a READ mapping (the JDK's read-only segment)", fx -> {
                    Mmap m = fx.map(Mmap.options().access(Access.READ));
                    return () -> m.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
                }, IAE, "read-only"),
                refuse("writing through the buffer of a READ mapping", fx -> {
                    Mmap m = fx.map(Mmap.options().access(Access.READ));
                    return () -> m.asByteBuffer().put(0, (byte) 1);
                }, ReadOnlyBufferException.class),
                refuse("channel write on a READ mapping", fx -> {
                    Mmap m = fx.map(Mmap.options().access(Access.READ));
                    return () -> m.write(ByteBuffer.allocate(1));
                }, NonWritableChannelException.class, "write", "read-only"),
                refuse("truncate of a READ mapping", fx -> {
                    Mmap m = fx.map(Mmap.options().access(Access.READ));
                    return () -> m.truncate(1);
                }, NonWritableChannelException.class, "truncate", "read-only"),
                refuse("resize of a READ mapping", fx -> {
                    Mmap m = fx.map(Mmap.options().access(Access.READ));
                    return () -> m.resize(2 * SIZE);
                }, ISE, "readonly or copy-on-write", "access READ"),
                refuse("resize of a COPY mapping", fx -> {
                    Mmap m = fx.map(Mmap.options().access(Access.COPY));
                    return () -> m.resize(PAGE);
                }, ISE, "readonly or copy-on-write", "access COPY"),
                refuse("resize(0)", fx -> {
                    Mmap m = fx.live();
                    return () -> m.resize(0);
                }, IAE, "new size out of range", "was 0"),
                refuse("resize(Long.MAX_VALUE) of anonymous memory", fx -> {
                    Mmap m = fx.anonymous(Mmap.options().align(2L << 20), PAGE);
                    return () -> m.resize(Long.MAX_VALUE);
                }, IAE, "new size out of range", "newLength " + Long.MAX_VALUE),
                refuse("resize with offset + newLength overflowing", fx -> {
                    Mmap m = fx.map(Mmap.options().offset(PAGE));
                    return () -> m.resize(Long.MAX_VALUE - PAGE + 1);
                }, IAE, "new size out of range", "offset " + PAGE, "overflows"),
                refuse("resize past the file system's limit: file and mapping unchanged", fx -> {
                    Mmap m = fx.map(Mmap.options().align(64L << 20));
                    return () -> m.resize(1L << 60);
                }, ERRNO, "EFBIG", "ftruncate", "length=" + (1L << 60)),
                refuse("resize with trackFd(false)", fx -> {
                    Mmap m = fx.map(Mmap.options().trackFd(false));
                    return () -> m.resize(2 * PAGE);
                }, ISE, "trackFd(false)"),
                refuse("resize of a mapping bound to the caller's arena", fx -> {
                    Mmap m = fx.map(Mmap.options().arena(fx.arena()));
                    return () -> m.resize(2 * PAGE);
                }, ISE, "caller's arena"),

                // ---- after close ----
                refuse("get after close", fx -> {
                    Mmap m = fx.closed();
                    return () -> m.get(0);
                }, ISE, "mmap closed or invalid"),
                refuse("find after close", fx -> {
                    Mmap m = fx.closed();
                    return () -> m.find(new byte[] {1});
                }, ISE, "mmap closed or invalid"),
                refuse("write after close", fx -> {
                    Mmap m = fx.closed();
                    return () -> m.write(new byte[] {1});
                }, ISE, "mmap closed or invalid"),
                refuse("flush after close", fx -> {
                    Mmap m = fx.closed();
                    return () -> m.flush(0, 1);
                }, ISE, "mmap closed or invalid"),
                refuse("advise after close", fx -> {
                    Mmap m = fx.closed();
                    return () -> m.advise(Advice.DONTNEED);
                }, ISE, "mmap closed or invalid"),
                refuse("resize after close: the file keeps its size", fx -> {
                    Mmap m = fx.closed();
                    return () -> m.resize(2 * PAGE);
                }, ISE, "mmap closed or invalid"),
                refuse("fileSize after close", fx -> {
                    Mmap m = fx.closed();
                    return m::fileSize;
                }, ISE, "mmap closed or invalid"),
                refuse("a segment taken before close", fx -> {
                    Mmap m = fx.live();
                    MemorySegment segment = m.segment();
                    m.close();
                    return () -> segment.get(ValueLayout.JAVA_BYTE, 0);
                }, ISE),

                // ---- arenas ----
                refuse("arena already closed, anonymous",
                        fx -> () -> Mmap.options().arena(Fixture.closedArena()).align(2L << 20).anonymous(PAGE), IAE,
                        "arena must be alive", "closed"),
                refuse("arena already closed, file: the descriptor is closed again",
                        fx -> () -> Mmap.options().arena(Fixture.closedArena()).map(fx.file), IAE,
                        "arena must be alive", "closed"),
                refuse("arena already closed, fd: the duplicate is closed again", fx -> {
                    int fd = fx.open(fx.file, LibC.O_RDWR);
                    return () -> Mmap.options().arena(Fixture.closedArena()).map(fd);
                }, IAE, "arena must be alive", "closed"),
                refuse("arena confined to another thread: mapped, then undone", fx -> {
                    Arena foreign = Fixture.foreignArena();
                    return () -> Mmap.options().arena(foreign).align(64L << 20).map(fx.file);
                }, WrongThreadException.class),
                refuse("Aligned.allocate in a closed arena",
                        fx -> () -> Aligned.allocate(Fixture.closedArena(), PAGE, PAGE), IAE,
                        "arena must be alive", "closed"),
                refuse("Aligned.allocate in an arena confined to another thread", fx -> {
                    Arena foreign = Fixture.foreignArena();
                    return () -> Aligned.allocate(foreign, PAGE, 2L << 20);
                }, WrongThreadException.class),
                refuse("Aligned.allocate with a null arena", fx -> () -> Aligned.allocate(null, PAGE, PAGE), NPE,
                        "arena"));
    }

    @BeforeEach
    void setUp() throws IOException {
        fx = new Fixture(dir);
        filesBefore = contentsOf(dir);
    }

    @AfterEach
    void nothingChangedOnDisk() throws Exception {
        fx.close();
        Map<Path, byte[]> expected = new HashMap<>(filesBefore);
        expected.putAll(fx.created);
        Map<Path, byte[]> now = contentsOf(dir);
        assertThat(now.keySet()).as("the files in the test directory").containsExactlyInAnyOrderElementsOf(
                expected.keySet());
        expected.forEach((path, bytes) -> assertThat(now.get(path)).as("bytes of %s", path).isEqualTo(bytes));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void shouldRefuseClearlyAndLeaveNothingBehind(Case c) throws Throwable {
        ThrowingCallable call = c.setup().prepare(fx);
        ProcessFootprint.assertNothingLeftBehind(watched(), () -> c.check(catchThrowable(call)));
    }

    private List<Path> watched() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return Stream.concat(files, Stream.of(fx.missing)).toList();
        }
    }

    private static Map<Path, byte[]> contentsOf(Path dir) {
        Map<Path, byte[]> contents = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path path : files.sorted().toList()) {
                contents.put(path, Files.isRegularFile(path) ? Files.readAllBytes(path) : new byte[0]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return contents;
    }

    private static void assumeOvercommitRefuses(long size) throws IOException {
        String overcommit = Files.readString(Path.of("/proc/sys/vm/overcommit_memory")).strip();
        Assumptions.assumeFalse(overcommit.equals("1"), "vm.overcommit_memory=1 accepts any mapping");
        Assumptions.assumeTrue(memInfo("MemTotal") + memInfo("SwapTotal") < size,
                "this machine could back " + size + " bytes");
    }

    private static void assumeEmptyHugePagePool() throws IOException {
        long size = memInfo("Hugepagesize");
        Path free = Path.of("/sys/kernel/mm/hugepages/hugepages-" + size / 1024 + "kB/free_hugepages");
        Assumptions.assumeTrue(Files.exists(free) && Files.readString(free).strip().equals("0"),
                "the default hugetlb pool has free pages");
    }

    private static long memInfo(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.split("\\s+")[1]) * 1024;
            }
        }
        throw new IllegalStateException(field + " not in /proc/meminfo");
    }

}
