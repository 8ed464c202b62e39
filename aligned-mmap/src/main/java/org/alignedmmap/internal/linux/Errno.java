package org.alignedmmap.internal.linux;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Map;
import org.alignedmmap.ErrnoException;
import org.alignedmmap.HugePagePool;

/**
 * The one place where an {@code errno} becomes an exception.
 *
 * <p>The values are Linux's (identical on x86-64, AArch64 and RISC-V 64, which take them from
 * {@code <asm-generic/errno-base.h>} and {@code <asm-generic/errno.h>}). Only the values the
 * library reacts to are named here; names for the rest come from glibc's
 * {@code strerrorname_np}, or from a small table when libc does not offer it (musl).
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ETXTBSY = 26;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int ENOSYS = 38;
    public static final int EOVERFLOW = 75;
    public static final int EOPNOTSUPP = 95;

    /** Used only when libc cannot name an errno itself. */
    private static final Map<Integer, String> FALLBACK_NAMES = Map.ofEntries(
            Map.entry(EPERM, "EPERM"), Map.entry(ENOENT, "ENOENT"), Map.entry(EINTR, "EINTR"),
            Map.entry(EIO, "EIO"), Map.entry(EBADF, "EBADF"), Map.entry(EAGAIN, "EAGAIN"),
            Map.entry(ENOMEM, "ENOMEM"), Map.entry(EACCES, "EACCES"), Map.entry(EFAULT, "EFAULT"),
            Map.entry(EBUSY, "EBUSY"), Map.entry(EEXIST, "EEXIST"), Map.entry(ENODEV, "ENODEV"),
            Map.entry(ENOTDIR, "ENOTDIR"), Map.entry(EISDIR, "EISDIR"), Map.entry(EINVAL, "EINVAL"),
            Map.entry(ETXTBSY, "ETXTBSY"), Map.entry(EFBIG, "EFBIG"), Map.entry(ENOSPC, "ENOSPC"),
            Map.entry(EROFS, "EROFS"), Map.entry(ENOSYS, "ENOSYS"), Map.entry(EOVERFLOW, "EOVERFLOW"),
            Map.entry(EOPNOTSUPP, "EOPNOTSUPP"));

    private Errno() {}

    /**
     * Names an errno value.
     *
     * @param errno the value
     * @return its symbolic name, such as {@code "EINVAL"}, or {@code "errno 123"}
     */
    public static String name(int errno) {
        return LibC.errnoName(errno)
                .or(() -> java.util.Optional.ofNullable(FALLBACK_NAMES.get(errno)))
                .orElse("errno " + errno);
    }

    /**
     * Describes an errno value in words.
     *
     * @param errno the value
     * @return libc's description, such as {@code "Cannot allocate memory"}, or an empty string
     */
    public static String description(int errno) {
        return LibC.errnoDescription(errno).orElse("");
    }

    /**
     * Builds the exception for a failed call.
     *
     * @param errno the errno the call left
     * @param call the call's name, such as {@code "mmap"}
     * @param arguments the arguments as they should read in the message, such as {@code
     *     "addr=0x0, length=4096"}
     * @return an exception whose message reads {@code call(arguments) failed: NAME (description)}
     */
    public static ErrnoException exception(int errno, String call, String arguments) {
        return exception(errno, call, arguments, null);
    }

    /**
     * Builds the exception for a failed call, with a hint on what to do about it.
     *
     * @param errno the errno the call left
     * @param call the call's name
     * @param arguments the arguments as they should read in the message
     * @param hint appended after the errno, or {@code null}
     * @return the exception
     */
    public static ErrnoException exception(int errno, String call, String arguments, String hint) {
        String name = name(errno);
        String description = description(errno);
        StringBuilder message = new StringBuilder()
                .append(call).append('(').append(arguments).append(") failed: ").append(name);
        if (!description.isEmpty()) {
            message.append(" (").append(description).append(')');
        }
        if (hint != null) {
            message.append("; ").append(hint);
        }
        return new ErrnoException(errno, name, call, message.toString());
    }

    /**
     * Returns the same failure with a hint on its cause appended to the message: for failures
     * whose errno alone misleads (a bare ENOMEM from a hugetlb pool that is empty).
     *
     * @param failure the failure as the call reported it
     * @param hint what to append after {@code "; "}
     * @return a new exception with the same errno and call, and the failure as its cause
     */
    public static ErrnoException withHint(ErrnoException failure, String hint) {
        ErrnoException explained = new ErrnoException(failure.errno(), failure.errnoName(), failure.call(),
                failure.getMessage() + "; " + hint);
        explained.initCause(failure);
        return explained;
    }

    /**
     * Explains a hugetlb mapping refused for lack of pool pages (ENOMEM), with the pool's files
     * and counts: {@code mmap} itself only says "Cannot allocate memory".
     *
     * @param failure the failed {@code mmap}
     * @param pageSize the huge page size asked for
     * @param pagesNeeded the pages the mapping needed
     * @param poolDirectory {@code /sys/kernel/mm/hugepages/hugepages-<size>kB}
     * @param pool the pool's counts now, or null if they cannot be read
     * @return the exception to throw
     */
    public static ErrnoException hugetlbPoolTooSmall(ErrnoException failure, long pageSize, long pagesNeeded,
                                                     Path poolDirectory, HugePagePool pool) {
        StringBuilder hint = new StringBuilder().append("the mapping needs ").append(pagesNeeded)
                .append(" hugetlb page(s) of ").append(pageSize / 1024).append(" kB");
        Path total = poolDirectory.resolve("nr_hugepages");
        Path free = poolDirectory.resolve("free_hugepages");
        if (pool == null) {
            hint.append(", and the pool's counts cannot be read from ").append(poolDirectory);
        } else {
            hint.append(", and the pool has ").append(pool.total()).append(" (").append(total).append("), ")
                    .append(pool.free()).append(" of them free (").append(free).append("), ")
                    .append(pool.reserved()).append(" of those promised to other mappings (resv_hugepages)");
            if (pool.available() >= pagesNeeded) {
                hint.append("; the pool looks large enough now, so pages were taken meanwhile or a hugetlb"
                        + " cgroup limit (hugetlb.").append(pageSize / 1024).append("kB.max) refused them");
            }
        }
        hint.append("; as root, raise the pool: echo N > ").append(total);
        return withHint(failure, hint.toString());
    }

    /**
     * Explains an {@code mlock} refused at the locked-memory limit (ENOMEM, EPERM) or for lack of
     * lockable memory (EAGAIN), with the limit's values and what was asked.
     *
     * @param failure the failed {@code mlock}
     * @param bytes the bytes asked to lock
     * @param soft the soft {@code RLIMIT_MEMLOCK} in bytes, -1 for unlimited, {@code
     *     Long.MIN_VALUE} if unknown
     * @param hard the hard limit, the same way
     * @param lockedNow the bytes this process has locked already ({@code VmLck}), -1 if unknown
     * @return the exception to throw
     */
    public static ErrnoException memlockRefused(ErrnoException failure, long bytes, long soft, long hard,
                                                long lockedNow) {
        String limits = "RLIMIT_MEMLOCK (soft " + limit(soft) + ", hard " + limit(hard) + ")";
        String locked = lockedNow < 0 ? "" : ", with " + lockedNow + " bytes locked already (VmLck)";
        String hint = switch (failure.errno()) {
            case EPERM -> "locking " + bytes + " bytes needs CAP_IPC_LOCK or a non-zero " + limits
                    + "; raise it with ulimit -l, prlimit --memlock or LimitMEMLOCK=";
            case EAGAIN -> "some of the " + bytes + " bytes could not be locked within " + limits + locked
                    + ": the system has too little memory to lock them";
            default -> "locking " + bytes + " more bytes exceeds " + limits + locked
                    + "; raise it with ulimit -l, prlimit --memlock or LimitMEMLOCK=, or run with CAP_IPC_LOCK";
        };
        return withHint(failure, hint);
    }

    private static String limit(long value) {
        if (value == -1) {
            return "unlimited";
        }
        return value == Long.MIN_VALUE ? "unknown" : value + " bytes";
    }

    /**
     * Turns a failure to open or inspect a file into the {@link java.nio.file} exception Java code
     * expects for it ({@link NoSuchFileException}, {@link AccessDeniedException}, ...), keeping the
     * errno details as the cause.
     *
     * @param path the file
     * @param cause the failure
     * @return the exception to throw
     */
    public static FileSystemException fileException(Path path, ErrnoException cause) {
        String file = path.toString();
        String reason = cause.getMessage();
        FileSystemException e = switch (cause.errno()) {
            case ENOENT -> new NoSuchFileException(file, null, reason);
            case EACCES, EPERM, EROFS -> new AccessDeniedException(file, null, reason);
            case ENOTDIR -> new NotDirectoryException(file);
            default -> new FileSystemException(file, null, reason);
        };
        e.initCause(cause);
        return e;
    }
}
