package org.alignedmmap;

import java.lang.foreign.MemorySegment;
import org.alignedmmap.internal.OperatingSystem;
import org.alignedmmap.internal.PageRange;

/**
 * How many base pages of a range are resident in memory, as {@code mincore(2)} reports: the
 * witness of {@link MmapOptions#populate(boolean)} and {@link Mmap#lock()}, and of what the
 * kernel dropped.
 *
 * <p>For anonymous memory a page counts as resident once it has been touched (a page only read
 * may be the shared zero page, which counts too). For a file mapping {@code mincore} tells
 * whether the page is in the page cache, whether or not this mapping has mapped it yet: a file
 * another process just read is resident here before it was touched. {@link Backing#rss()} tells
 * what the mapping itself has mapped. Pages are always base pages ({@link SystemAlignment#pageSize()}),
 * even inside huge pages.
 *
 * <p>A snapshot: the kernel may evict pages, and other threads fault them in, at any time.
 *
 * @param residentPages the pages resident in memory
 * @param totalPages the pages of the range, rounded out to whole pages
 * @param pageSize the size of the pages counted, the base page size
 */
public record Residency(long residentPages, long totalPages, long pageSize) {

    /**
     * Asks the kernel which pages of a native segment are resident, rounded out to whole pages.
     *
     * @param segment a native segment over mapped memory; it need not be one of this library's,
     *     nor start or end on a page boundary
     * @return the count of resident pages
     * @throws NullPointerException if {@code segment} is null
     * @throws IllegalArgumentException if {@code segment} is a heap segment
     * @throws IllegalStateException if the segment's arena is closed
     * @throws ErrnoException if part of the range is not mapped (ENOMEM): the segment was made
     *     up from an address, or its memory was unmapped behind its arena's back
     */
    public static Residency of(MemorySegment segment) throws ErrnoException {
        PageRange pages = PageRange.of(segment);
        return OperatingSystem.current().residency(pages.start(), pages.length());
    }

    /**
     * Returns the resident memory in bytes.
     *
     * @return {@code residentPages * pageSize}
     */
    public long residentBytes() {
        return residentPages * pageSize;
    }

    /**
     * Tells whether every page of the range is resident.
     *
     * @return true if {@code residentPages == totalPages}
     */
    public boolean isFullyResident() {
        return residentPages == totalPages;
    }

    /**
     * Returns the share of resident pages.
     *
     * @return from 0 to 1; 1 for an empty range
     */
    public double fraction() {
        return totalPages == 0 ? 1 : (double) residentPages / totalPages;
    }
}
