package org.alignedmmap.internal.linux;

import java.io.IOException;
import java.nio.file.Path;
import org.alignedmmap.ErrnoException;
import org.alignedmmap.internal.OpenFile;

/**
 * A file descriptor the library holds: opened from a path (owned), duplicated (owned), or a
 * caller's (borrowed, never closed here). The one class that opens, duplicates and closes
 * descriptors.
 */
final class LinuxFile implements OpenFile {
    private final int fd;
    private final String name;
    private final boolean owned;
    private boolean closed;

    private LinuxFile(int fd, String name, boolean owned) {
        this.fd = fd;
        this.name = name;
        this.owned = owned;
    }

    /**
     * Opens a file for mapping. A directory opens read-only like any file; {@link #stat()} tells.
     *
     * @throws java.nio.file.NoSuchFileException if it does not exist
     * @throws java.nio.file.AccessDeniedException if the access asked is not allowed
     * @throws FileSystemException if it is a directory opened for writing, or cannot be opened
     *     otherwise
     */
    static LinuxFile open(Path path, boolean write) throws IOException {
        // O_NONBLOCK: a FIFO opened for reading would otherwise block until a writer appears (here:
        // forever); for regular files it changes nothing.
        int flags = (write ? LibC.O_RDWR : LibC.O_RDONLY) | LibC.O_CLOEXEC | LibC.O_NONBLOCK;
        int fd;
        try {
            fd = LibC.open(path.toAbsolutePath().toString(), flags, 0);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EISDIR) {
                throw OpenFile.isADirectory(path);
            }
            throw Errno.fileException(path, e);
        }
        return new LinuxFile(fd, path.toString(), true);
    }

    /**
     * Wraps a caller's descriptor after checking that it is open and not a directory.
     *
     * @throws IllegalArgumentException if it is not open, or is a directory
     */
    static LinuxFile borrow(int fd) throws ErrnoException {
        FileStatus status;
        try {
            status = FileStatus.of(fd);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EBADF) {
                throw new IllegalArgumentException("fd " + fd + " is not an open file descriptor (EBADF)", e);
            }
            throw e;
        }
        if (status.isDirectory()) {
            throw new IllegalArgumentException("fd " + fd + " refers to a directory, not a file");
        }
        return new LinuxFile(fd, "fd " + fd, false);
    }

    @Override
    public int descriptor() {
        return fd;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Stat stat() throws ErrnoException {
        FileStatus status = FileStatus.of(fd);
        return new Stat(status.isRegularFile(), status.isDirectory(), status.size());
    }

    @Override
    public OpenFile duplicate() throws ErrnoException {
        return new LinuxFile(LibC.fcntl(fd, LibC.F_DUPFD_CLOEXEC, 0), name, true);
    }

    @Override
    public synchronized void close() {
        if (!owned || closed) {
            return;
        }
        closed = true;
        try {
            LibC.close(fd);
        } catch (ErrnoException ignored) {
            // The descriptor is gone either way (close(2) frees it even when it reports an
            // error), and writes through a mapping are not reported here.
        }
    }

    @Override
    public String toString() {
        return name + " (fd " + fd + (owned ? "" : ", the caller's") + ")";
    }
}
