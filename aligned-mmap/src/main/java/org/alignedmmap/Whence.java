package org.alignedmmap;

/** Where {@link Mmap#seek(long, Whence)} counts from, as {@code os.SEEK_SET/CUR/END}. */
public enum Whence {
    /** From the start of the mapping. */
    SET,
    /** From the current position. */
    CURRENT,
    /** From the end of the mapping. */
    END
}
