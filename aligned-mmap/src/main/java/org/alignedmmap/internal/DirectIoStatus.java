package org.alignedmmap.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.alignedmmap.ErrnoException;

/**
 * What {@code statx(2)} says about {@code O_DIRECT} on a file: whether the kernel answered
 * {@code STATX_DIOALIGN} (Linux 6.1+, and only where the file system implements it), the
 * alignments it reported, and the device the file lives on, for the fallbacks.
 *
 * @param reported true if the kernel answered {@code STATX_DIOALIGN} for this file
 * @param memoryAlign {@code stx_dio_mem_align}; 0 when not reported, or when reported and direct
 *     I/O is not supported on the file
 * @param offsetAlign {@code stx_dio_offset_align}; 0 likewise
 * @param deviceMajor {@code stx_dev_major}: the device of the file system holding the file
 * @param deviceMinor {@code stx_dev_minor}
 */
public record DirectIoStatus(boolean reported, long memoryAlign, long offsetAlign, long deviceMajor,
                             long deviceMinor) {
    private static final int STATX_DIOALIGN = 0x2000;

    // Field offsets inside struct statx (include/uapi/linux/stat.h). The device numbers are
    // always filled in, whatever the mask asks for.
    private static final long OFFSET_MASK = 0;
    private static final long OFFSET_DEV_MAJOR = 136;
    private static final long OFFSET_DEV_MINOR = 140;
    private static final long OFFSET_DIO_MEM_ALIGN = 152;
    private static final long OFFSET_DIO_OFFSET_ALIGN = 156;

    /**
     * Asks the kernel about a path, following symbolic links.
     *
     * @param path an absolute path
     * @return the answer
     * @throws ErrnoException ENOENT, EACCES, ... when the file cannot be inspected
     */
    public static DirectIoStatus of(String path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(FileStatus.STATX_BUFFER_SIZE, 8);
            LibC.statx(LibC.AT_FDCWD, path, 0, STATX_DIOALIGN, buffer);
            boolean reported = (buffer.get(ValueLayout.JAVA_INT, OFFSET_MASK) & STATX_DIOALIGN) != 0;
            return new DirectIoStatus(reported,
                    reported ? unsigned(buffer, OFFSET_DIO_MEM_ALIGN) : 0,
                    reported ? unsigned(buffer, OFFSET_DIO_OFFSET_ALIGN) : 0,
                    unsigned(buffer, OFFSET_DEV_MAJOR),
                    unsigned(buffer, OFFSET_DEV_MINOR));
        }
    }

    private static long unsigned(MemorySegment buffer, long offset) {
        return Integer.toUnsignedLong(buffer.get(ValueLayout.JAVA_INT, offset));
    }
}
