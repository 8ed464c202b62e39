package org.alignedmmap.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What kind of file a path names (symbolic links followed), in the words of an error message.
 * {@link java.nio.file.attribute.BasicFileAttributes#isOther()} lumps FIFOs, sockets and devices
 * together; the commands treat them differently (a device can be mapped, a FIFO cannot).
 */
enum FileKind {
    REGULAR("a regular file"),
    DIRECTORY("a directory"),
    FIFO("a FIFO (named pipe)"),
    SOCKET("a socket"),
    CHARACTER_DEVICE("a character device"),
    BLOCK_DEVICE("a block device"),
    OTHER("not a regular file");

    /** {@code S_IFMT} and the file types of {@code st_mode}, from {@code <sys/stat.h>} (POSIX values). */
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFSOCK = 0140000;

    private final String description;

    FileKind(String description) {
        this.description = description;
    }

    /**
     * Says what kind of file this is, as in "PATH is a FIFO (named pipe)".
     *
     * @return the words
     */
    String description() {
        return description;
    }

    /**
     * Finds out what {@code path} is.
     *
     * @param path the path; symbolic links are followed
     * @return its kind
     * @throws java.nio.file.NoSuchFileException if nothing is there
     * @throws IOException if it cannot be inspected
     */
    static FileKind of(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode");
        return switch (mode & S_IFMT) {
            case S_IFREG -> REGULAR;
            case S_IFDIR -> DIRECTORY;
            case S_IFIFO -> FIFO;
            case S_IFSOCK -> SOCKET;
            case S_IFCHR -> CHARACTER_DEVICE;
            case S_IFBLK -> BLOCK_DEVICE;
            default -> OTHER;
        };
    }
}
