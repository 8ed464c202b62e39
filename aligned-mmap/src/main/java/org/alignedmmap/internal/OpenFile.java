package org.alignedmmap.internal;

import java.nio.file.FileSystemException;
import java.nio.file.Path;
import org.alignedmmap.ErrnoException;

/**
 * A file open for mapping: a descriptor on Unix, owned (closed by {@link #close()}) or borrowed
 * from the caller (left open). The one place the library holds descriptors; {@link
 * OperatingSystem#open} and {@link OperatingSystem#borrow} make them.
 */
public interface OpenFile extends AutoCloseable {
    /**
     * Returns the descriptor.
     *
     * @return the descriptor number
     */
    int descriptor();

    /**
     * Names the file for messages: its path as given, or {@code "fd N"}.
     *
     * @return the name
     */
    String name();

    /**
     * Inspects the file now.
     *
     * @return its kind and size
     * @throws ErrnoException if the file cannot be inspected
     */
    Stat stat() throws ErrnoException;

    /**
     * What a mapping needs to know of a file.
     *
     * @param regularFile true for a regular file, the only kind whose size bounds a mapping
     * @param directory true for a directory, which cannot be mapped
     * @param size the size in bytes (meaningful for regular files)
     */
    record Stat(boolean regularFile, boolean directory, long size) {}

    /**
     * The exception for an attempt to map a directory, the same whichever step notices it.
     *
     * @param path the directory
     * @return the exception
     */
    static FileSystemException isADirectory(Path path) {
        return new FileSystemException(path.toString(), null, "is a directory; only files can be mapped");
    }

    /**
     * Returns an owned copy of this file (a duplicate descriptor, close-on-exec), which outlives
     * this one.
     *
     * @return the copy
     * @throws ErrnoException if the system refuses (EMFILE)
     */
    OpenFile duplicate() throws ErrnoException;

    /**
     * Closes an owned descriptor; does nothing for a borrowed one. Never throws: a descriptor
     * is gone after {@code close(2)} whatever it answers, and writes through a mapping are not
     * reported there.
     */
    @Override
    void close();
}
