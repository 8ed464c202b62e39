package org.alignedmmap;

import java.util.Optional;
import org.alignedmmap.internal.OperatingSystem;

/**
 * What kind of pages should back a mapping: the payoff of alignment. A huge page maps a whole
 * aligned block ({@link #pageSize()}: 2 MiB or 1 GiB on x86-64) with one TLB entry and one page
 * fault, which makes the first touch of large memory several times faster and random access over
 * it cheaper; but the kernel can only use one where the mapping covers a block that starts at a
 * multiple of the huge page size. This library can place mappings there, the JDK cannot.
 *
 * <p>Used with {@link MmapOptions#hugePages(HugePages)} and {@link Aligned#allocate(
 * java.lang.foreign.Arena, long, long, HugePages)}. Whether the running system can provide a kind
 * is answered by {@link #isAvailable()}, and why not by {@link #unavailableReason()}; what
 * actually backs a region afterwards is answered by {@link Mmap#backing()} and {@link
 * Backing#of(java.lang.foreign.MemorySegment)}.
 *
 * <h2>Transparent huge pages and hugetlb pages</h2>
 * {@link #TRANSPARENT} asks the kernel, with {@code madvise(MADV_HUGEPAGE)}, to use huge pages
 * where it can: best effort, no setup, memory that the kernel may split and swap like any other.
 * The {@code HUGETLB_*} kinds take pages from a pool the administrator set aside ({@code
 * nr_hugepages}): guaranteed huge, never swapped, reserved when mapped, and failing at once when
 * the pool is too small. See {@link SystemAlignment#hugePagePools()}.
 */
public enum HugePages {
    /** Base pages only, as the kernel decides by default (the default). */
    NONE(0),

    /**
     * Transparent huge pages: the alignment is raised to {@link
     * SystemAlignment#transparentHugePageSize()} (the PMD size, 2 MiB on x86-64) and {@code
     * madvise(MADV_HUGEPAGE)} marks the whole mapping, which is what THP's {@code madvise} mode
     * (and the {@code defrag} setting of the same name) waits for. The length is not rounded: a
     * tail shorter than a huge page stays in base pages.
     *
     * <ul>
     *   <li><b>Anonymous memory</b> becomes {@code AnonHugePages} as it is touched. Without
     *       explicit flags or access, anonymous memory with this option is mapped {@code
     *       MAP_PRIVATE}: {@code MAP_SHARED} anonymous memory is shmem, which follows its own
     *       setting ({@code /sys/kernel/mm/transparent_hugepage/shmem_enabled}, often {@code
     *       never}). Ask for {@code MAP_SHARED} or {@link Access#WRITE} explicitly to share the
     *       memory with child processes anyway; {@link Mmap#backing()} then tells whether huge
     *       pages came ({@code ShmemPmdMapped}).
     *   <li><b>File mappings</b> are mapped with PMDs ({@code FilePmdMapped}) where the file
     *       system caches the file in huge folios (ext4 and XFS on recent kernels): that needs
     *       the file offset to be a multiple of the huge page size too, so {@link
     *       MmapOptions#offset(long)} must be one, and only pages that enter the page cache
     *       through the mapping (its read-ahead) come in huge folios: pages already cached in
     *       small ones, for example because the file was just written with {@code write(2)},
     *       stay small until they are evicted ({@link MmapOptions#rebuildPageCache(boolean)}
     *       evicts them, {@link Mmap#hugePageReport()} says what stood in the way).
     * </ul>
     *
     * Refused with {@link UnsupportedOperationException} where {@link #isAvailable()} is false
     * (THP mode {@code never}, or no THP): the caller asked for huge pages and would silently
     * get none. For huge pages where possible, choose {@code TRANSPARENT.isAvailable() ?
     * TRANSPARENT : NONE}.
     */
    TRANSPARENT(0),

    /**
     * Pages of the 2 MiB hugetlb pool ({@code MAP_HUGETLB | MAP_HUGE_2MB}), anonymous memory
     * only. Needs {@code /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages} to hold enough
     * free pages for the mapping's length rounded up to 2 MiB.
     */
    HUGETLB_2MB(21),

    /**
     * Pages of the 1 GiB hugetlb pool ({@code MAP_HUGETLB | MAP_HUGE_1GB}), anonymous memory
     * only. Needs {@code /sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages} to hold
     * enough free pages for the mapping's length rounded up to 1 GiB.
     */
    HUGETLB_1GB(30),

    /**
     * Pages of the system's default hugetlb pool ({@code MAP_HUGETLB} without a size: the
     * {@code Hugepagesize} of {@code /proc/meminfo}, set by the {@code default_hugepagesz=} boot
     * parameter), anonymous memory only. The portable choice where 2 MiB pages do not exist (for
     * example AArch64 kernels with 64 KiB base pages, whose default is 512 MiB).
     */
    HUGETLB_DEFAULT(0);

    /** log2 of the page size for the fixed-size hugetlb kinds, 0 otherwise. */
    private final int sizeShift;

    HugePages(int sizeShift) {
        this.sizeShift = sizeShift;
    }

    /**
     * Tells whether this is one of the hugetlb kinds ({@code MAP_HUGETLB}).
     *
     * @return true for {@link #HUGETLB_2MB}, {@link #HUGETLB_1GB} and {@link #HUGETLB_DEFAULT}
     */
    public boolean isHugetlb() {
        return this == HUGETLB_2MB || this == HUGETLB_1GB || this == HUGETLB_DEFAULT;
    }

    /**
     * Returns the size of the pages of this kind, which is also the alignment a mapping of this
     * kind gets at least.
     *
     * @return the base page size for {@link #NONE}; the PMD size for {@link #TRANSPARENT}; 2 MiB
     *     or 1 GiB for {@link #HUGETLB_2MB} and {@link #HUGETLB_1GB}; the default hugetlb size
     *     for {@link #HUGETLB_DEFAULT}
     * @throws UnsupportedOperationException if the system does not say ({@link #TRANSPARENT}
     *     without THP support, {@link #HUGETLB_DEFAULT} without hugetlb support); the message
     *     is {@link #unavailableReason()}
     */
    public long pageSize() {
        return OperatingSystem.current().pageSize(this);
    }

    /**
     * Tells whether the running system can back memory with pages of this kind: for {@link
     * #TRANSPARENT} the kernel has THP and its mode ({@link SystemAlignment#transparentHugePages()}) is
     * {@code always} or {@code madvise}; for the hugetlb kinds the kernel supports that page size.
     * A hugetlb pool may still be too small for a given mapping: see {@link
     * SystemAlignment#hugePagePools()}. Either way, {@link Mmap#backing()} tells what a mapping got.
     *
     * @return true if mappings of this kind can be backed by its pages here
     */
    public boolean isAvailable() {
        return unavailableReason().isEmpty();
    }

    /**
     * Tells why {@link #isAvailable()} is false, with the file the answer comes from.
     *
     * @return the reason, such as {@code "transparent huge pages are disabled:
     *     /sys/kernel/mm/transparent_hugepage/enabled is [never]"}; empty when available
     */
    public Optional<String> unavailableReason() {
        return OperatingSystem.current().unavailableReason(this);
    }

    /**
     * Returns the {@code mmap(2)} flags that select this kind's pages.
     *
     * @return {@code MAP_HUGETLB} with the size bits for the hugetlb kinds, 0 otherwise
     */
    public int mmapFlags() {
        return switch (this) {
            case NONE, TRANSPARENT -> 0;
            case HUGETLB_2MB, HUGETLB_1GB -> MmapConstants.MAP_HUGETLB | (sizeShift << MmapConstants.MAP_HUGE_SHIFT);
            case HUGETLB_DEFAULT -> MmapConstants.MAP_HUGETLB;
        };
    }
}
