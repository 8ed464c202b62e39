package org.alignedmmap;

import org.alignedmmap.internal.Platform;

/**
 * What the running system says about alignment: the sizes that memory, mappings and I/O are
 * measured in here. Every value is read from the system, never assumed.
 */
public final class Alignment {
    private Alignment() {}

    /**
     * Returns the size of a base page, {@code sysconf(_SC_PAGESIZE)}: CPython's {@code
     * mmap.PAGESIZE}. Mappings start on page boundaries, so any alignment up to this is free.
     *
     * @return the page size in bytes (4096 on most x86-64 systems, 16 KiB or 64 KiB on some ARM)
     * @throws UnsupportedOperationException on a platform the library does not support
     */
    public static long pageSize() {
        return Platform.pageSize();
    }

    /**
     * Returns the granularity that file offsets of a mapping must be a multiple of: CPython's
     * {@code mmap.ALLOCATIONGRANULARITY}. On Linux this is the page size.
     *
     * @return the allocation granularity in bytes
     * @throws UnsupportedOperationException on a platform the library does not support
     */
    public static long allocationGranularity() {
        return Platform.pageSize();
    }
}
