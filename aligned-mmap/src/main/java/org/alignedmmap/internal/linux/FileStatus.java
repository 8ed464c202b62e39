package org.alignedmmap.internal.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.alignedmmap.ErrnoException;

/**
 * What {@code statx(2)} says about a file: its type, size, block size, the device it lives on
 * and, where the kernel and the file system report it (Linux 6.1+), the alignment O_DIRECT
 * demands. The one place that reads {@code struct statx}.
 *
 * @param mode the {@code st_mode} bits, type included
 * @param size the size in bytes
 * @param blockSize the preferred I/O block size
 * @param directIoReported true if the kernel answered {@code STATX_DIOALIGN} for this file
 * @param directIoMemoryAlign required alignment of O_DIRECT buffers; 0 when not reported, or
 *     when reported and the file does not support O_DIRECT at all
 * @param directIoOffsetAlign required alignment of O_DIRECT file offsets and lengths; 0 likewise
 * @param deviceMajor {@code stx_dev_major}: the device of the file system holding the file
 * @param deviceMinor {@code stx_dev_minor}
 */
public record FileStatus(int mode, long size, long blockSize, boolean directIoReported, long directIoMemoryAlign,
                         long directIoOffsetAlign, long deviceMajor, long deviceMinor) {
    /** {@code sizeof(struct statx)}: the kernel's ABI, the same on every architecture. */
    public static final int STATX_BUFFER_SIZE = 256;

    private static final int STATX_TYPE = 0x1;
    private static final int STATX_MODE = 0x2;
    private static final int STATX_SIZE_MASK = 0x200;
    private static final int STATX_DIOALIGN = 0x2000;

    // Field offsets inside struct statx (include/uapi/linux/stat.h).
    private static final long OFFSET_MASK = 0;
    private static final long OFFSET_BLKSIZE = 4;
    private static final long OFFSET_MODE = 28;
    private static final long OFFSET_SIZE = 40;
    // The device numbers are always filled in, whatever the mask asks for.
    private static final long OFFSET_DEV_MAJOR = 136;
    private static final long OFFSET_DEV_MINOR = 140;
    private static final long OFFSET_DIO_MEM_ALIGN = 152;
    private static final long OFFSET_DIO_OFFSET_ALIGN = 156;

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;

    /**
     * Inspects an open descriptor.
     *
     * @param fd the descriptor
     * @return its status
     * @throws ErrnoException EBADF when {@code fd} is not open
     */
    public static FileStatus of(int fd) throws ErrnoException {
        return stat(fd, "", LibC.AT_EMPTY_PATH);
    }

    /**
     * Inspects a path, following symbolic links.
     *
     * @param path an absolute path or one relative to the working directory
     * @return its status
     * @throws ErrnoException ENOENT, EACCES, ...
     */
    public static FileStatus of(String path) throws ErrnoException {
        return stat(LibC.AT_FDCWD, path, 0);
    }

    private static FileStatus stat(int fd, String path, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(STATX_BUFFER_SIZE, 8);
            LibC.statx(fd, path, flags, STATX_TYPE | STATX_MODE | STATX_SIZE_MASK | STATX_DIOALIGN, buffer);
            int returned = buffer.get(ValueLayout.JAVA_INT, OFFSET_MASK);
            boolean dio = (returned & STATX_DIOALIGN) != 0;
            return new FileStatus(
                    Short.toUnsignedInt(buffer.get(ValueLayout.JAVA_SHORT, OFFSET_MODE)),
                    buffer.get(ValueLayout.JAVA_LONG, OFFSET_SIZE),
                    unsigned(buffer, OFFSET_BLKSIZE),
                    dio,
                    dio ? unsigned(buffer, OFFSET_DIO_MEM_ALIGN) : 0,
                    dio ? unsigned(buffer, OFFSET_DIO_OFFSET_ALIGN) : 0,
                    unsigned(buffer, OFFSET_DEV_MAJOR),
                    unsigned(buffer, OFFSET_DEV_MINOR));
        }
    }

    private static long unsigned(MemorySegment buffer, long offset) {
        return Integer.toUnsignedLong(buffer.get(ValueLayout.JAVA_INT, offset));
    }

    /**
     * Tells whether this is a regular file, the only kind whose size bounds a mapping.
     *
     * @return true for a regular file
     */
    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    /**
     * Tells whether this is a directory.
     *
     * @return true for a directory
     */
    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    /**
     * Tells whether the kernel reported O_DIRECT alignment for this file.
     *
     * @return true when {@link #directIoMemoryAlign()} and {@link #directIoOffsetAlign()} are known
     */
    public boolean reportsDirectIoAlignment() {
        return directIoMemoryAlign > 0 && directIoOffsetAlign > 0;
    }
}
