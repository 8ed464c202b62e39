package org.alignedmmap.internal;

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
 * touched: nothing here writes to it. Placement at alignments above the page size is the
 * system's (reserve-then-trim on Linux), so afterwards exactly the page-rounded range is mapped.
 */
public final class ArenaChunks {
    private ArenaChunks() {}

    /**
     * Returns the base page size, the unit in which memory is mapped and committed.
     *
     * @return the page size in bytes, a power of two
     */
    public static long pageSize() {
        return OperatingSystem.current().pageSize();
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
     * @return the mapping; {@link MappedRegion#release()} unmaps it
     * @throws ErrnoException if the kernel refuses (ENOMEM: no address space or commit left);
     *     nothing is left mapped then
     * @throws UnsupportedOperationException if {@code transparentHugePages} is asked for on a
     *     system without them
     */
    public static MappedRegion map(long length, long align, boolean transparentHugePages) throws ErrnoException {
        return OperatingSystem.current().map(MappingRequest.anonymousMemory(length, align,
                transparentHugePages ? HugePages.TRANSPARENT : HugePages.NONE));
    }
}
