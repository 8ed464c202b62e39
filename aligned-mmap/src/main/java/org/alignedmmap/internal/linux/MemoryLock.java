package org.alignedmmap.internal.linux;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.alignedmmap.ErrnoException;

/**
 * {@code mlock}/{@code munlock}, with failures at the locked-memory limit explained by the limit's
 * values: the kernel answers a bare ENOMEM or EPERM, which reads like a lack of memory.
 */
public final class MemoryLock {
    private static final java.nio.file.Path STATUS = java.nio.file.Path.of("/proc/self/status");
    private static final Pattern VMLCK = Pattern.compile("(?m)^VmLck:\\s+(\\d+) kB$");

    private MemoryLock() {}

    /**
     * Locks a range in memory: faults every page in and keeps it from being swapped or dropped.
     *
     * @param address the start, a multiple of the page size
     * @param length the bytes to lock
     * @throws ErrnoException ENOMEM or EPERM beyond {@code RLIMIT_MEMLOCK}, EAGAIN if the pages
     *     could not be locked; the message gives the limits and the bytes asked
     */
    public static void lock(long address, long length) throws ErrnoException {
        try {
            LibC.mlock(address, length);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOMEM && e.errno() != Errno.EPERM && e.errno() != Errno.EAGAIN) {
                throw e;
            }
            long[] limits = memlockLimits();
            throw Errno.memlockRefused(e, length, limits[0], limits[1], lockedBytes());
        }
    }

    /**
     * Unlocks a range: its pages may be swapped or dropped again.
     *
     * @param address the start, a multiple of the page size
     * @param length the bytes to unlock
     * @throws ErrnoException ENOMEM if part of the range is not mapped
     */
    public static void unlock(long address, long length) throws ErrnoException {
        LibC.munlock(address, length);
    }

    /**
     * Reads {@code RLIMIT_MEMLOCK}.
     *
     * @return soft and hard limit in bytes, -1 for unlimited; {@code Long.MIN_VALUE} each if the
     *     limit cannot be read
     */
    static long[] memlockLimits() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment limits = arena.allocate(JAVA_LONG, 2);
            LibC.getrlimit(LibC.RLIMIT_MEMLOCK, limits);
            return new long[] {limits.getAtIndex(JAVA_LONG, 0), limits.getAtIndex(JAVA_LONG, 1)};
        } catch (ErrnoException e) {
            return new long[] {Long.MIN_VALUE, Long.MIN_VALUE};
        }
    }

    /** Reads {@code VmLck} of {@code /proc/self/status} in bytes, -1 if unknown. */
    static long lockedBytes() {
        return SysFs.read(STATUS).map(VMLCK::matcher).filter(Matcher::find)
                .map(m -> Long.parseLong(m.group(1)) * 1024).orElse(-1L);
    }
}
