package org.alignedmmap.internal;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Map;
import org.alignedmmap.ErrnoException;

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
