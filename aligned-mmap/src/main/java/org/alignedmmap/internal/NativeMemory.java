package org.alignedmmap.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.alignedmmap.ErrnoException;
import org.alignedmmap.HugePages;

/**
 * Zero-filled native memory at an alignment, bound to an arena. Two strategies, chosen per call:
 *
 * <ul>
 *   <li><b>Anonymous mapping</b> ({@link OperatingSystem#map}, reserve-then-trim on Linux) for alignments of a page
 *       or more, and for any allocation of {@link #MAPPING_THRESHOLD} bytes or more. The kernel
 *       hands out zero pages lazily, so nothing is zeroed up front, only touched pages become
 *       resident, and no address space beyond the page-rounded length is kept.
 *   <li><b>The JDK's own allocator</b> ({@link Arena#allocate(long, long)}) for everything smaller.
 * </ul>
 *
 * <p>Why the JDK and not {@code posix_memalign} for small allocations: measured side by side on
 * JDK 25 / glibc (batches of 2,000 allocations freed by closing a confined arena), the JDK was
 * as fast or faster for every size from 16 B to 64 KiB and every alignment from 8 to 2,048:
 * 64 B at 64 took 113 ns with the JDK against 160-170 ns for {@code posix_memalign} plus zeroing
 * (two downcalls per segment, and glibc's memalign slow path, which took 7.7 us for 16 KiB at
 * 2,048). The JDK keeps up to {@code align - 16} bytes per segment more than it hands out; below
 * a page that is less than a page.
 *
 * <p>Why mappings from {@link #MAPPING_THRESHOLD} on even at small alignments: from that size on
 * glibc's malloc maps fresh pages itself (its default {@code M_MMAP_THRESHOLD}) and the JDK then
 * zeroes every one of them, faulting it in: 128 KiB cost 36 us and 1 MiB 440 us per allocation,
 * against a flat 3.5-5 us for our mapping (two system calls, which cost ~1.7 us and ~3.2 us
 * here even from C), and the pages the caller never touches are never made resident. Below it,
 * malloc recycles warm heap memory, which the two system calls of a mapping cannot beat.
 */
public final class NativeMemory {
    /** From here on a mapping beats malloc plus eager zeroing at any alignment; see above. */
    public static final long MAPPING_THRESHOLD = 128 * 1024;

    private NativeMemory() {}

    /**
     * Allocates zero-filled memory. The arguments must have been checked: {@code size >= 0},
     * {@code align} a power of two, {@code size + align} without overflow, and the arena alive.
     *
     * @return exactly {@code size} bytes at a multiple of {@code align}, freed with the arena
     * @throws OutOfMemoryError if the memory cannot be had; nothing is left allocated then
     * @throws WrongThreadException if the arena is confined to another thread (before anything
     *     is allocated)
     */
    public static MemorySegment allocate(Arena arena, long size, long align) {
        if (!mapsFor(size, align)) {
            return arena.allocate(size, align);
        }
        return map(arena, size, align, HugePages.NONE);
    }

    /**
     * Tells whether {@link #allocate} would map memory for these arguments rather than ask the
     * JDK's allocator.
     *
     * @return true for alignments of a page or more and sizes of {@link #MAPPING_THRESHOLD} or more
     */
    public static boolean mapsFor(long size, long align) {
        return align >= OperatingSystem.current().pageSize() || size >= MAPPING_THRESHOLD;
    }

    /**
     * Allocates zero-filled memory backed by the pages {@code hugePages} asks for. The arguments
     * must have been checked as for {@link #allocate(Arena, long, long)}.
     *
     * @param arena the arena that owns the memory
     * @param size the bytes, {@code >= 0}
     * @param align the alignment, a power of two
     * @param hugePages the kind of pages
     * @return exactly {@code size} bytes at a multiple of {@code align} (raised to the huge page
     *     size), freed with the arena
     * @throws UnsupportedOperationException if the system cannot provide such pages (before
     *     anything is allocated)
     * @throws OutOfMemoryError if the memory cannot be had (for hugetlb pages, with the pool's
     *     counts in the cause's message); nothing is left allocated then
     */
    public static MemorySegment allocate(Arena arena, long size, long align, HugePages hugePages) {
        if (hugePages == HugePages.NONE) {
            return allocate(arena, size, align);
        }
        return map(arena, size, align, hugePages);
    }

    @SuppressWarnings("restricted") // the region just mapped, bound to the caller's arena
    private static MemorySegment map(Arena arena, long size, long align, HugePages hugePages) {
        // Fails for a foreign thread or a dead arena now, while there is nothing to undo yet.
        MemorySegment.NULL.reinterpret(arena, null);
        // A zero-length segment still gets a page of its own, so that like the JDK's it has a
        // distinct, aligned, non-null address.
        MappedRegion region;
        try {
            region = OperatingSystem.current().map(MappingRequest.anonymousMemory(Math.max(size, 1), align, hugePages));
        } catch (ErrnoException e) {
            OutOfMemoryError error = new OutOfMemoryError("cannot map " + size + " bytes at align " + align
                    + (hugePages == HugePages.NONE ? "" : " with hugePages " + hugePages) + ": " + e.getMessage());
            error.initCause(e);
            throw error;
        }
        try {
            // The cleanup captures only the region, so it cannot keep the arena (or anything
            // else of the caller's) reachable.
            return MemorySegment.ofAddress(region.address()).reinterpret(size, arena, ignored -> region.release());
        } catch (Throwable t) {
            // The arena was closed by another thread in between: the action was not registered.
            region.release();
            throw t;
        }
    }
}
