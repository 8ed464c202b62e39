package org.alignedmmap;

import java.lang.foreign.MemorySegment;
import org.alignedmmap.internal.OperatingSystem;
import org.alignedmmap.internal.PageRange;

/**
 * What backs a range of memory, as the kernel reports it in {@code /proc/self/smaps}: how much
 * of it is resident, and in which pages (base pages, transparent huge pages, hugetlb pages). The
 * proof of what {@link HugePages} achieved. All amounts are in bytes.
 *
 * <pre>{@code
 * try (Mmap m = Mmap.options().hugePages(HugePages.TRANSPARENT).anonymous(256L << 20)) {
 *     m.segment().fill((byte) 1);
 *     Backing b = m.backing();
 *     System.out.println(b.anonHugePages() + " of " + b.size() + " bytes in huge pages");
 * }
 * }</pre>
 *
 * <h2>Exactness</h2>
 * The kernel reports its counters per VMA (one line of {@code /proc/self/maps}), not per page.
 * The counters here are the sums over every VMA that overlaps the range. When the range covers
 * each of those VMAs entirely, they describe exactly the range ({@link #exact()} is true). That
 * is the usual case for a whole {@link Mmap}, but not guaranteed: the kernel may merge a mapping
 * with a neighbouring one of identical kind into one VMA. When a VMA reaches outside the range,
 * its counters include its pages outside the range too: they are then an upper bound for the
 * range (except {@link #kernelPageSize()}), {@link #exact()} is false and {@link #vmaSize()}
 * says how many bytes the counters describe.
 *
 * <p>A snapshot: other threads may fault pages in or out right after it was taken.
 *
 * @param address the start of the range, rounded down to a base page
 * @param size the length of the range in bytes, rounded up to whole base pages
 * @param vmaSize the total size of the VMAs whose counters are summed: equal to {@code size}
 *     when exact, larger when a VMA reaches outside the range, smaller when part of the range is
 *     not mapped at all
 * @param exact true when every VMA counted lies inside the range, so the counters describe
 *     exactly the range's mapped pages
 * @param rss resident memory ({@code Rss}): base pages and transparent huge pages, but not
 *     hugetlb pages, which the kernel counts separately
 * @param anonymous anonymous memory ({@code Anonymous}), including private copies of file pages
 *     made by writes to a copy-on-write mapping
 * @param anonHugePages anonymous memory in transparent huge pages ({@code AnonHugePages})
 * @param filePmdMapped file pages mapped with huge page table entries ({@code FilePmdMapped})
 * @param shmemPmdMapped shared memory (shmem, tmpfs, {@code MAP_SHARED} anonymous memory) mapped
 *     with huge page table entries ({@code ShmemPmdMapped})
 * @param sharedHugetlb hugetlb memory of shared mappings ({@code Shared_Hugetlb})
 * @param privateHugetlb hugetlb memory of private mappings ({@code Private_Hugetlb})
 * @param swap memory swapped out ({@code Swap})
 * @param locked memory locked in RAM by {@code mlock} ({@code Locked}); hugetlb pages are not
 *     counted here even when locked (they are never swapped anyway)
 * @param kernelPageSize the largest page size the kernel backs the VMAs with ({@code
 *     KernelPageSize}): the base page size, or the hugetlb page size for hugetlb mappings
 *     (transparent huge pages do not change it); 0 if nothing in the range is mapped
 * @param hugePageAdvised true when every VMA counted carries {@code madvise(MADV_HUGEPAGE)}
 *     (flag {@code hg} in {@code VmFlags}), false otherwise or if nothing is mapped
 */
public record Backing(long address, long size, long vmaSize, boolean exact, long rss, long anonymous,
                      long anonHugePages, long filePmdMapped, long shmemPmdMapped, long sharedHugetlb,
                      long privateHugetlb, long swap, long locked, long kernelPageSize, boolean hugePageAdvised) {

    /**
     * Reads what backs the memory of a native segment, rounded out to whole base pages.
     *
     * @param segment a native segment; it need not be one of this library's, nor start or end
     *     on a page boundary
     * @return the counters of the VMAs that overlap it
     * @throws NullPointerException if {@code segment} is null
     * @throws IllegalArgumentException if {@code segment} is a heap segment, which the garbage
     *     collector moves
     * @throws IllegalStateException if the segment's arena is closed (its memory may already
     *     belong to something else)
     * @throws java.io.UncheckedIOException if {@code /proc/self/smaps} cannot be read (no procfs)
     */
    public static Backing of(MemorySegment segment) {
        PageRange pages = PageRange.of(segment);
        return OperatingSystem.current().backing(pages.start(), pages.end());
    }

    /**
     * Returns the memory in huge pages of any kind: transparent ({@link #anonHugePages()},
     * {@link #filePmdMapped()}, {@link #shmemPmdMapped()}) and hugetlb ({@link
     * #sharedHugetlb()}, {@link #privateHugetlb()}).
     *
     * @return the sum in bytes
     */
    public long hugePageBytes() {
        return anonHugePages + filePmdMapped + shmemPmdMapped + sharedHugetlb + privateHugetlb;
    }

    /**
     * Returns the share of the range in huge pages.
     *
     * @return {@link #hugePageBytes()} divided by {@link #size()}: 0 for an empty range, and
     *     possibly above 1 when not {@link #exact()}
     */
    public double hugePageFraction() {
        return size == 0 ? 0 : (double) hugePageBytes() / size;
    }
}
