package org.alignedmmap.internal;

import static org.alignedmmap.MmapConstants.MAP_ANONYMOUS;
import static org.alignedmmap.MmapConstants.MAP_PRIVATE;
import static org.alignedmmap.MmapConstants.PROT_READ;
import static org.alignedmmap.MmapConstants.PROT_WRITE;

import java.util.Optional;
import org.alignedmmap.ErrnoException;
import org.alignedmmap.HugePages;

/**
 * Everything {@link org.alignedmmap.AlignedArena} needs from the operating system, and the only
 * door through which it reaches the library's internals: mapping an anonymous, private,
 * read-write range at an alignment (optionally advised for transparent huge pages), unmapping
 * it, and the page sizes that go with that.
 *
 * <p>The memory comes from the kernel zeroed and is committed page by page as it is first
 * touched: nothing here writes to it. Placement at alignments above the page size is {@link
 * AlignedMapper}'s reserve-then-trim, so afterwards exactly the page-rounded range is mapped.
 */
public final class ArenaChunks {
    private static final int PROT = PROT_READ | PROT_WRITE;
    /** Private: the pages are the process's own; anonymous: zero-filled by the kernel. */
    private static final int FLAGS = MAP_PRIVATE | MAP_ANONYMOUS;

    private ArenaChunks() {}

    /**
     * Returns the base page size, the unit in which memory is mapped and committed.
     *
     * @return the page size in bytes, a power of two
     */
    public static long pageSize() {
        return Platform.pageSize();
    }

    /**
     * Tells why transparent huge pages cannot back memory here.
     *
     * @return the reason, naming the file it comes from; empty when they can
     */
    public static Optional<String> transparentHugePagesUnavailable() {
        return HugePages.TRANSPARENT.unavailableReason();
    }

    /**
     * Returns the size of a transparent huge page (the PMD size).
     *
     * @return the size in bytes, a power of two
     * @throws UnsupportedOperationException if the system has no transparent huge pages
     */
    public static long transparentHugePageSize() {
        return HugePages.TRANSPARENT.pageSize();
    }

    /**
     * Maps {@code length} bytes of zero-filled, private, read-write memory at a multiple of
     * {@code align}.
     *
     * @param length bytes, at least 1; the mapping covers them rounded up to whole pages
     * @param align a power of two; at most the page size costs one {@code mmap}
     * @param transparentHugePages whether to advise the range with {@code MADV_HUGEPAGE}; the
     *     alignment is then at least {@link #transparentHugePageSize()}
     * @return the address
     * @throws ErrnoException if the kernel refuses (ENOMEM: no address space or commit left);
     *     nothing is left mapped then
     * @throws UnsupportedOperationException if {@code transparentHugePages} is asked for on a
     *     system without them
     */
    public static long map(long length, long align, boolean transparentHugePages) throws ErrnoException {
        if (!transparentHugePages) {
            return AlignedMapper.map(length, align, PROT, FLAGS, -1, 0, Platform.pageSize());
        }
        HugePageSupport.Plan plan = HugePageSupport.plan(HugePages.TRANSPARENT, align, PROT, FLAGS, 0, false);
        return HugePageSupport.map(plan, length, PROT, -1, 0);
    }

    /**
     * Unmaps a range {@link #map} returned. A refusal of the kernel means the arguments were
     * wrong: a bug, not a condition to handle.
     *
     * @param address the address {@link #map} returned
     * @param length the length it was given
     * @throws IllegalStateException if the kernel refuses
     */
    public static void unmap(long address, long length) {
        AlignedMapper.unmapOwned(address, length, Platform.pageSize());
    }
}
