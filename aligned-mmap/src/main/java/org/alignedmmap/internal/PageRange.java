package org.alignedmmap.internal;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The whole pages a native segment lies on: what the kernel's per-page reports ({@code
 * /proc/self/smaps}, {@code mincore}) are asked about.
 *
 * @param start the first page's address
 * @param end the address after the last page
 */
public record PageRange(long start, long end) {
    /**
     * Rounds a segment out to whole base pages, after checking it can be asked about.
     *
     * @param segment a native segment whose arena is alive
     * @return its pages
     * @throws NullPointerException if {@code segment} is null
     * @throws IllegalArgumentException if {@code segment} is a heap segment, which the garbage
     *     collector moves
     * @throws IllegalStateException if the segment's arena is closed (its memory may already
     *     belong to something else)
     */
    public static PageRange of(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (!segment.isNative()) {
            throw new IllegalArgumentException("segment is a heap segment, which has no fixed native address: "
                    + segment);
        }
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("segment's arena is already closed: " + segment);
        }
        long page = OperatingSystem.current().pageSize();
        return new PageRange(PowerOfTwo.alignDown(segment.address(), page),
                PowerOfTwo.alignUp(segment.address() + segment.byteSize(), page));
    }

    /** Returns the length in bytes, a multiple of the page size. */
    public long length() {
        return end - start;
    }
}
