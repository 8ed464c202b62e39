package org.alignedmmap;

import java.io.IOException;
import java.io.Serial;

/**
 * A system call failed. Carries the {@code errno} value, its symbolic name ({@code "ENOMEM"}),
 * the call that failed and the arguments it was given, so that the message alone tells what the
 * library asked of the kernel and what the kernel answered, for example:
 *
 * <pre>{@code mmap(addr=0x0, length=1048576, prot=PROT_READ|PROT_WRITE, flags=MAP_SHARED, fd=7, offset=0) failed: EACCES (Permission denied)}</pre>
 *
 * <p>Whenever this exception escapes a method of this library, everything that call had set up
 * (mappings, reservations, descriptors) has already been released.
 */
public final class ErrnoException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The value of {@code errno} after the failed call. */
    private final int errno;
    /** The symbolic name of {@link #errno}. */
    private final String errnoName;
    /** The call that failed. */
    private final String call;

    /**
     * Creates the exception; the library creates these in one place, users normally only catch
     * them.
     *
     * @param errno the value of {@code errno} after the failed call
     * @param errnoName its symbolic name, such as {@code "EINVAL"}
     * @param call the name of the failed call, such as {@code "mmap"}
     * @param message the full message: call, arguments, errno name and description, and any hint
     */
    public ErrnoException(int errno, String errnoName, String call, String message) {
        super(message);
        this.errno = errno;
        this.errnoName = errnoName;
        this.call = call;
    }

    /**
     * Returns the value of {@code errno} the failed call left behind.
     *
     * @return the platform's errno value, such as 12 for ENOMEM on Linux
     */
    public int errno() {
        return errno;
    }

    /**
     * Returns the symbolic name of {@link #errno()}.
     *
     * @return a name such as {@code "ENOMEM"}, or {@code "errno 123"} when the platform gives none
     */
    public String errnoName() {
        return errnoName;
    }

    /**
     * Returns the system call or libc function that failed.
     *
     * @return a name such as {@code "mmap"} or {@code "ftruncate"}
     */
    public String call() {
        return call;
    }
}
