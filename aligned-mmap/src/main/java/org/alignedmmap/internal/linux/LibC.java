package org.alignedmmap.internal.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.Optional;
import org.alignedmmap.ErrnoException;
import org.alignedmmap.MmapConstants;

/**
 * Owns every downcall handle into the C library; nothing else in the library binds a native
 * symbol. Each method is a thin wrapper: it makes the call, captures {@code errno} atomically
 * with it, and on failure throws the {@link ErrnoException} {@link Errno} builds, naming the
 * call and its arguments.
 *
 * <p>Binding never fails the class: a symbol this C library lacks becomes a handle that throws
 * {@link UnsupportedOperationException} naming the symbol when called, so one missing function
 * disables only the feature that calls it (as Lucene's {@code PosixNativeAccess} keeps its
 * optional handles), never every use of the library through an {@link ExceptionInInitializerError}.
 * The class is loaded only by {@link LinuxSystem}, so other systems never link anything.
 *
 * <p>Sizes ({@code size_t}), offsets ({@code off_t}) and {@code long} are 64 bits on every
 * platform the library runs on (LP64 Linux), so they are bound as {@code JAVA_LONG}; addresses
 * are passed and returned as {@code long} values to keep callers free of segment plumbing.
 *
 * <p>Nothing here may touch memory of a mapped file on the native side: a SIGBUS inside a
 * downcall (a page of a truncated file) kills the JVM, while the same fault in Java code becomes
 * an exception. Scans and copies of mapped memory therefore stay in Java.
 */
public final class LibC {
    private static final Linker LINKER = Linker.nativeLinker();

    /** errno must be read in the same downcall as the failure, before the JVM can clobber it. */
    private static final StructLayout CALL_STATE_LAYOUT = Linker.Option.captureStateLayout();

    private static final VarHandle ERRNO =
            CALL_STATE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** One errno slot per thread, freed by the GC with the thread: downcalls need no allocation. */
    private static final ThreadLocal<MemorySegment> CALL_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE_LAYOUT));

    /** {@code mmap} returns this ({@code (void *) -1}) on failure. */
    private static final long MAP_FAILED = -1L;

    private static final MethodHandle MMAP = bind("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = bind("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    /** {@code void *mremap(void *old, size_t oldSize, size_t newSize, int flags, ... void *new)}. */
    private static final MethodHandle MREMAP = bind("mremap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS),
            Linker.Option.firstVariadicArg(4));
    private static final MethodHandle MADVISE = bind("madvise",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MSYNC = bind("msync",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MINCORE = bind("mincore",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle MLOCK = bind("mlock",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MUNLOCK = bind("munlock",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    /**
     * {@code int prctl(int option, ...)}, here with the four further arguments of {@code
     * PR_SET_VMA}: sub-command, start, length and a name. The variadic words are 64 bits.
     */
    private static final MethodHandle PRCTL = bind("prctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(1));
    /** {@code int open(const char *path, int flags, ... mode_t mode)}. */
    private static final MethodHandle OPEN = bind("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = bind("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /**
     * {@code int fcntl(int fd, int cmd, ... arg)}. The variadic argument is passed as a 64-bit
     * value: glibc reads it as a pointer-sized word, so a 32-bit int could arrive with garbage in
     * its upper half.
     */
    private static final MethodHandle FCNTL = bind("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FTRUNCATE = bind("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle STATX = bind("statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle GETRLIMIT = bind("getrlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    /** No errno: sysconf returns -1 for names it does not know, and that is all we need. */
    private static final MethodHandle SYSCONF = bindWithoutErrno("sysconf", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));

    /** glibc 2.32+ only; absent on musl, where {@link Errno} falls back to its own table. */
    private static final Optional<MethodHandle> STRERRORNAME_NP = optional("strerrorname_np",
            FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final Optional<MethodHandle> STRERRORDESC_NP = optional("strerrordesc_np",
            FunctionDescriptor.of(ADDRESS, JAVA_INT));

    // fcntl commands and open flags: Linux generic values.
    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int O_RDONLY = 0x0;
    public static final int O_WRONLY = 0x1;
    /** Opening a FIFO (or a device) returns at once instead of waiting for the other side. */
    public static final int O_NONBLOCK = 0x800;
    public static final int O_RDWR = 0x2;
    public static final int O_CLOEXEC = 0x80000;
    public static final int AT_FDCWD = -100;
    public static final int AT_EMPTY_PATH = 0x1000;
    /** {@code getrlimit} resource: bytes of memory that may be locked (Linux generic value). */
    public static final int RLIMIT_MEMLOCK = 8;

    private LibC() {}

    // ---- memory mappings ------------------------------------------------------------------

    /**
     * {@code mmap(2)}.
     *
     * @return the address of the new mapping
     * @throws ErrnoException if the kernel refuses
     */
    public static long mmap(long address, long length, int prot, int flags, int fd, long offset)
            throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        MemorySegment result;
        try {
            result = (MemorySegment) MMAP.invokeExact(state, MemorySegment.ofAddress(address),
                    length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw unexpected("mmap", t);
        }
        if (result.address() == MAP_FAILED) {
            throw Errno.exception(errno(state), "mmap",
                    "addr=%s, length=%d, prot=%s, flags=%s, fd=%d, offset=%d".formatted(hex(address),
                            length, MmapConstants.describeProt(prot), MmapConstants.describeFlags(flags),
                            fd, offset));
        }
        return result.address();
    }

    /**
     * {@code munmap(2)}.
     *
     * @throws ErrnoException if the kernel refuses (only for arguments that are not page-aligned)
     */
    public static void munmap(long address, long length) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        int rc;
        try {
            rc = (int) MUNMAP.invokeExact(state, MemorySegment.ofAddress(address), length);
        } catch (Throwable t) {
            throw unexpected("munmap", t);
        }
        if (rc != 0) {
            throw Errno.exception(errno(state), "munmap", "addr=%s, length=%d".formatted(hex(address), length));
        }
    }

    /**
     * {@code mremap(2)}; {@code newAddress} is passed only with {@link MmapConstants#MREMAP_FIXED}.
     *
     * @return the mapping's address after the call
     * @throws ErrnoException if the kernel refuses; the old mapping is then unchanged
     */
    public static long mremap(long oldAddress, long oldLength, long newLength, int flags, long newAddress)
            throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        MemorySegment result;
        try {
            result = (MemorySegment) MREMAP.invokeExact(state, MemorySegment.ofAddress(oldAddress),
                    oldLength, newLength, flags, MemorySegment.ofAddress(newAddress));
        } catch (Throwable t) {
            throw unexpected("mremap", t);
        }
        if (result.address() == MAP_FAILED) {
            throw Errno.exception(errno(state), "mremap",
                    "old_address=%s, old_size=%d, new_size=%d, flags=%d, new_address=%s".formatted(
                            hex(oldAddress), oldLength, newLength, flags, hex(newAddress)));
        }
        return result.address();
    }

    /**
     * {@code madvise(2)}.
     *
     * @throws ErrnoException if the kernel refuses the advice for this range
     */
    public static void madvise(long address, long length, int advice) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        int rc;
        try {
            rc = (int) MADVISE.invokeExact(state, MemorySegment.ofAddress(address), length, advice);
        } catch (Throwable t) {
            throw unexpected("madvise", t);
        }
        if (rc != 0) {
            throw Errno.exception(errno(state), "madvise",
                    "addr=%s, length=%d, advice=%d".formatted(hex(address), length, advice));
        }
    }

    /**
     * {@code msync(2)}.
     *
     * @throws ErrnoException if the write-back fails (EIO) or the range is invalid
     */
    public static void msync(long address, long length, int flags) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        int rc;
        try {
            rc = (int) MSYNC.invokeExact(state, MemorySegment.ofAddress(address), length, flags);
        } catch (Throwable t) {
            throw unexpected("msync", t);
        }
        if (rc != 0) {
            throw Errno.exception(errno(state), "msync",
                    "addr=%s, length=%d, flags=%d".formatted(hex(address), length, flags));
        }
    }

    /**
     * {@code mincore(2)}: one byte per page into {@code vector}, bit 0 set when resident.
     *
     * @throws ErrnoException if part of the range is not mapped (ENOMEM)
     */
    public static void mincore(long address, long length, MemorySegment vector) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        int rc;
        try {
            rc = (int) MINCORE.invokeExact(state, MemorySegment.ofAddress(address), length, vector);
        } catch (Throwable t) {
            throw unexpected("mincore", t);
        }
        if (rc != 0) {
            throw Errno.exception(errno(state), "mincore", "addr=%s, length=%d".formatted(hex(address), length));
        }
    }

    /**
     * {@code mlock(2)}.
     *
     * @throws ErrnoException ENOMEM or EPERM when RLIMIT_MEMLOCK is too small ({@link MemoryLock}
     *     explains it), EAGAIN when pages could not be locked
     */
    public static void mlock(long address, long length) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        int rc;
        try {
            rc = (int) MLOCK.invokeExact(state, MemorySegment.ofAddress(address), length);
        } catch (Throwable t) {
            throw unexpected("mlock", t);
        }
        if (rc != 0) {
            throw Errno.exception(errno(state), "mlock", "addr=%s, length=%d".formatted(hex(address), length));
        }
    }

    /**
     * {@code munlock(2)}.
     *
     * @throws ErrnoException if the range is not mapped
     */
    public static void munlock(long address, long length) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        int rc;
        try {
            rc = (int) MUNLOCK.invokeExact(state, MemorySegment.ofAddress(address), length);
        } catch (Throwable t) {
            throw unexpected("munlock", t);
        }
        if (rc != 0) {
            throw Errno.exception(errno(state), "munlock", "addr=%s, length=%d".formatted(hex(address), length));
        }
    }

    /** {@code prctl} option: set an attribute of a range of memory (Linux 5.17). */
    public static final int PR_SET_VMA = 0x53564d41;
    /** {@code PR_SET_VMA} attribute: the name {@code /proc/self/maps} shows for anonymous memory. */
    public static final int PR_SET_VMA_ANON_NAME = 0;

    /**
     * {@code prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, start, length, name)}: names anonymous
     * memory, shown as {@code [anon:name]} in {@code /proc/self/maps}.
     *
     * @param address the start, page-aligned
     * @param length the bytes
     * @param name the name, at most 79 bytes of printable ASCII, none of {@code \ ` $ [ ]}
     * @throws ErrnoException EINVAL when the kernel lacks {@code CONFIG_ANON_VMA_NAME}, the range
     *     is not anonymous memory, or the name is refused; ENOMEM when part of it is not mapped
     */
    public static void nameAnonymousMemory(long address, long length, String name) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        int rc;
        try (Arena arena = Arena.ofConfined()) {
            rc = (int) PRCTL.invokeExact(state, PR_SET_VMA, (long) PR_SET_VMA_ANON_NAME, address, length,
                    arena.allocateFrom(name));
        } catch (Throwable t) {
            throw unexpected("prctl", t);
        }
        if (rc != 0) {
            throw Errno.exception(errno(state), "prctl", "PR_SET_VMA, PR_SET_VMA_ANON_NAME, addr=%s, length=%d, \"%s\""
                    .formatted(hex(address), length, name));
        }
    }

    // ---- files ------------------------------------------------------------------------------

    /**
     * {@code open(2)}.
     *
     * @return the new descriptor
     * @throws ErrnoException if the file cannot be opened
     */
    public static int open(String path, int flags, int mode) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags, mode);
        } catch (Throwable t) {
            throw unexpected("open", t);
        }
        if (fd < 0) {
            throw Errno.exception(errno(state), "open", "\"%s\", flags=0x%x, mode=0%o".formatted(path, flags, mode));
        }
        return fd;
    }

    /**
     * {@code close(2)}.
     *
     * @throws ErrnoException if {@code fd} is not open (EBADF) or a deferred write-back failed
     */
    public static void close(int fd) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        int rc;
        try {
            rc = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw unexpected("close", t);
        }
        if (rc != 0) {
            throw Errno.exception(errno(state), "close", "fd=" + fd);
        }
    }

    /**
     * {@code fcntl(2)} with an integer argument (ignored by commands that take none).
     *
     * @return the command's result
     * @throws ErrnoException EBADF for a descriptor that is not open, or the command's failure
     */
    public static int fcntl(int fd, int command, long argument) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        int rc;
        try {
            rc = (int) FCNTL.invokeExact(state, fd, command, argument);
        } catch (Throwable t) {
            throw unexpected("fcntl", t);
        }
        if (rc == -1) {
            throw Errno.exception(errno(state), "fcntl", "fd=%d, cmd=%d, arg=%d".formatted(fd, command, argument));
        }
        return rc;
    }

    /**
     * {@code ftruncate(2)}.
     *
     * @throws ErrnoException if the file system refuses the size (EFBIG, ENOSPC, EPERM, ...)
     */
    public static void ftruncate(int fd, long length) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        int rc;
        try {
            rc = (int) FTRUNCATE.invokeExact(state, fd, length);
        } catch (Throwable t) {
            throw unexpected("ftruncate", t);
        }
        if (rc != 0) {
            throw Errno.exception(errno(state), "ftruncate", "fd=%d, length=%d".formatted(fd, length));
        }
    }

    /**
     * {@code statx(2)} of a path ({@code fd} = {@link #AT_FDCWD}) or of an open descriptor
     * ({@code path} empty, {@code flags} with {@link #AT_EMPTY_PATH}).
     *
     * @param buffer at least {@link FileStatus#STATX_BUFFER_SIZE} bytes
     * @throws ErrnoException if the file cannot be inspected
     */
    public static void statx(int fd, String path, int flags, int mask, MemorySegment buffer) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        int rc;
        try (Arena arena = Arena.ofConfined()) {
            rc = (int) STATX.invokeExact(state, fd, arena.allocateFrom(path), flags, mask, buffer);
        } catch (Throwable t) {
            throw unexpected("statx", t);
        }
        if (rc != 0) {
            String target = path.isEmpty() ? "fd=" + fd : "\"" + path + "\"";
            throw Errno.exception(errno(state), "statx", "%s, mask=0x%x".formatted(target, mask));
        }
    }

    /**
     * {@code getrlimit(2)}.
     *
     * @param buffer two 64-bit words: soft limit, hard limit
     * @throws ErrnoException if the resource is unknown
     */
    public static void getrlimit(int resource, MemorySegment buffer) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        int rc;
        try {
            rc = (int) GETRLIMIT.invokeExact(state, resource, buffer);
        } catch (Throwable t) {
            throw unexpected("getrlimit", t);
        }
        if (rc != 0) {
            throw Errno.exception(errno(state), "getrlimit", "resource=" + resource);
        }
    }

    // ---- page cache and whole-file reads (issue 13: file huge pages) ---------------------------
    // One block on purpose: handles, constants and wrappers of the page-cache calls, so that the
    // OS seam of issue 11 can take them over in one move.

    /** {@code int sync_file_range(int fd, off64_t offset, off64_t nbytes, unsigned int flags)}. */
    private static final MethodHandle SYNC_FILE_RANGE = bind("sync_file_range",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    /**
     * {@code int posix_fadvise(int fd, off_t offset, off_t len, int advice)}: returns the error
     * number instead of setting errno.
     */
    private static final MethodHandle POSIX_FADVISE = bind("posix_fadvise",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    /** {@code ssize_t pread(int fd, void *buf, size_t count, off_t offset)}. */
    private static final MethodHandle PREAD = bind("pread",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    /**
     * {@code long syscall(long number, ...)} with three arguments, for {@code cachestat}, which
     * neither glibc nor musl wraps. Every variadic argument is passed as a 64-bit word: the kernel
     * entry reads whole registers, so a 32-bit int could arrive with garbage in its upper half.
     */
    private static final MethodHandle SYSCALL_4 = bind("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));

    /** {@code __NR_cachestat}: 451 in the kernel's generic table and x86-64's alike (Linux 6.5). */
    public static final long SYS_CACHESTAT = 451;
    /** {@code sync_file_range}: wait for write-back already under way in the range first. */
    public static final int SYNC_FILE_RANGE_WAIT_BEFORE = 1;
    /** {@code sync_file_range}: start write-back of the range's dirty pages. */
    public static final int SYNC_FILE_RANGE_WRITE = 2;
    /** {@code sync_file_range}: wait until that write-back is done. */
    public static final int SYNC_FILE_RANGE_WAIT_AFTER = 4;
    /** {@code posix_fadvise}: drop the range's clean, unmapped pages from the page cache. */
    public static final int POSIX_FADV_DONTNEED = 4;
    /**
     * {@code O_DIRECT}: not one of the generic values on every architecture; AArch64 numbers it
     * {@code 0200000} (its {@code asm/fcntl.h}), x86-64 and RISC-V use the generic {@code 040000}.
     */
    public static final int O_DIRECT = "aarch64".equals(System.getProperty("os.arch")) ? 0x10000 : 0x4000;

    /**
     * {@code sync_file_range(2)}: writes back the range's dirty pages (including pages dirtied
     * through shared mappings) with the flags given. Not a durability guarantee (no metadata, no
     * device cache flush); what it gives is clean pages.
     *
     * @throws ErrnoException EIO when write-back failed, EBADF, EINVAL, ESPIPE for a pipe
     */
    public static void syncFileRange(int fd, long offset, long length, int flags) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        int rc;
        try {
            rc = (int) SYNC_FILE_RANGE.invokeExact(state, fd, offset, length, flags);
        } catch (Throwable t) {
            throw unexpected("sync_file_range", t);
        }
        if (rc != 0) {
            throw Errno.exception(errno(state), "sync_file_range",
                    "fd=%d, offset=%d, nbytes=%d, flags=%d".formatted(fd, offset, length, flags));
        }
    }

    /**
     * {@code posix_fadvise(2)}.
     *
     * @throws ErrnoException EBADF, EINVAL, ESPIPE for a pipe
     */
    public static void posixFadvise(int fd, long offset, long length, int advice) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        int rc;
        try {
            rc = (int) POSIX_FADVISE.invokeExact(state, fd, offset, length, advice);
        } catch (Throwable t) {
            throw unexpected("posix_fadvise", t);
        }
        if (rc != 0) {
            throw Errno.exception(rc, "posix_fadvise",
                    "fd=%d, offset=%d, len=%d, advice=%d".formatted(fd, offset, length, advice));
        }
    }

    /**
     * {@code pread(2)} into native memory. Only for memory that cannot fault (anonymous memory
     * of the library's own): a fault inside the downcall would kill the JVM.
     *
     * @return the bytes read, 0 at the end of the file
     * @throws ErrnoException EINVAL (for {@link #O_DIRECT}: misaligned buffer, offset or length), EIO, ...
     */
    public static long pread(int fd, long address, long count, long offset) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        long rc;
        try {
            rc = (long) PREAD.invokeExact(state, fd, MemorySegment.ofAddress(address), count, offset);
        } catch (Throwable t) {
            throw unexpected("pread", t);
        }
        if (rc < 0) {
            throw Errno.exception(errno(state), "pread",
                    "fd=%d, buf=%s, count=%d, offset=%d".formatted(fd, hex(address), count, offset));
        }
        return rc;
    }

    /**
     * {@code cachestat(2)} (Linux 6.5): how many pages of a file range the page cache holds,
     * without mapping it. {@code range} holds {@code off} and {@code len} (two 64-bit words, len 0
     * = to the end of the file); {@code result} receives five 64-bit counters: cached, dirty,
     * under write-back, evicted, recently evicted.
     *
     * @throws ErrnoException ENOSYS on older kernels, EOPNOTSUPP for hugetlbfs, EBADF
     */
    public static void cachestat(int fd, MemorySegment range, MemorySegment result) throws ErrnoException {
        MemorySegment state = CALL_STATE.get();
        long rc;
        try {
            rc = (long) SYSCALL_4.invokeExact(state, SYS_CACHESTAT, (long) fd, range, result, 0L);
        } catch (Throwable t) {
            throw unexpected("cachestat", t);
        }
        if (rc != 0) {
            throw Errno.exception(errno(state), "cachestat", "fd=%d, flags=0".formatted(fd));
        }
    }

    // ---- process and heap ---------------------------------------------------------------------

    /**
     * {@code sysconf(3)}.
     *
     * @return the value, or -1 when the name is not known here
     */
    public static long sysconf(int name) {
        try {
            return (long) SYSCONF.invokeExact(name);
        } catch (Throwable t) {
            throw unexpected("sysconf", t);
        }
    }

    static Optional<String> errnoName(int errno) {
        return STRERRORNAME_NP.flatMap(handle -> cString(handle, errno));
    }

    static Optional<String> errnoDescription(int errno) {
        return STRERRORDESC_NP.flatMap(handle -> cString(handle, errno));
    }

    // ---- plumbing ----------------------------------------------------------------------------

    @SuppressWarnings("restricted") // a static C string of libc's, NUL-terminated
    private static Optional<String> cString(MethodHandle handle, int errno) {
        MemorySegment text;
        try {
            text = (MemorySegment) handle.invokeExact(errno);
        } catch (Throwable t) {
            throw unexpected("strerror", t);
        }
        if (text.equals(MemorySegment.NULL)) {
            return Optional.empty();
        }
        // A static, NUL-terminated string of libc's; its length is not known up front.
        return Optional.of(text.reinterpret(Long.MAX_VALUE).getString(0));
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }

    // Package-private for LibCBindingTest, which binds a symbol no C library has.
    @SuppressWarnings("restricted") // libc's own symbols, with their C signatures
    static MethodHandle bind(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = CAPTURE_ERRNO;
        System.arraycopy(options, 0, all, 1, options.length);
        return LINKER.defaultLookup().find(name)
                .map(address -> LINKER.downcallHandle(address, descriptor, all))
                .orElseGet(() -> missing(name, descriptor.toMethodType().insertParameterTypes(0, MemorySegment.class)));
    }

    @SuppressWarnings("restricted") // libc's own symbols, with their C signatures
    private static MethodHandle bindWithoutErrno(String name, FunctionDescriptor descriptor) {
        return LINKER.defaultLookup().find(name)
                .map(address -> LINKER.downcallHandle(address, descriptor))
                .orElseGet(() -> missing(name, descriptor.toMethodType()));
    }

    @SuppressWarnings("restricted") // libc's own symbols, with their C signatures
    private static Optional<MethodHandle> optional(String name, FunctionDescriptor descriptor) {
        return LINKER.defaultLookup().find(name).map(address -> LINKER.downcallHandle(address, descriptor));
    }

    /**
     * A handle of the symbol's type that throws when called: the feature that needs the symbol
     * fails with a message naming it, and nothing else is affected.
     */
    private static MethodHandle missing(String name, MethodType type) {
        MethodHandle fail;
        try {
            fail = MethodHandles.lookup().findStatic(LibC.class, "failMissing",
                    MethodType.methodType(Object.class, String.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("LibC.failMissing is not accessible", e);
        }
        MethodHandle named = MethodHandles.insertArguments(fail, 0, name)
                .asType(MethodType.methodType(type.returnType()));
        return MethodHandles.dropArguments(named, 0, type.parameterList());
    }

    @SuppressWarnings("unused") // called through the handle made in missing()
    private static Object failMissing(String name) {
        throw new UnsupportedOperationException("the C library has no symbol '" + name
                + "', which this operation needs; aligned-mmap needs Linux with glibc or musl");
    }

    /** Downcalls throw only what the JVM itself throws (errors); anything else is a bug. */
    private static RuntimeException unexpected(String call, Throwable t) {
        if (t instanceof Error error) {
            throw error;
        }
        if (t instanceof RuntimeException runtime) {
            return runtime;
        }
        return new IllegalStateException("downcall " + call + " threw", t);
    }
}
