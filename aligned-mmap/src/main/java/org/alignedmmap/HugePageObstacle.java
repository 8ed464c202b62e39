package org.alignedmmap;

/**
 * A reason why memory is not (or not all) in huge pages, as {@link Mmap#hugePageReport()} finds
 * it: each constant says in one sentence what stands in the way and what removes it. The report
 * pairs it with the evidence found for this very mapping ({@link HugePageReport.Finding}).
 *
 * <p>Most reasons are read from what the kernel publishes ({@code /sys/kernel/mm}, {@code
 * /proc/self/smaps}, {@code /proc/self/mountinfo}, {@code /proc/vmstat}); two are inferred, and
 * say so in their evidence: {@link #SMALL_FOLIOS_CACHED} (the kernel does not tell an
 * unprivileged process the size of the folios it caches) and, without a counter to read, {@link
 * #FRAGMENTATION}.
 */
public enum HugePageObstacle {
    /** Transparent huge pages are switched off for this memory. */
    THP_DISABLED("Transparent huge pages are switched off: the system-wide mode is never (or the kernel has none),"
            + " the mode for this huge page size is never, or the process disabled them (prctl PR_SET_THP_DISABLE).",
            "As root, write madvise (or always) to /sys/kernel/mm/transparent_hugepage/enabled; or use hugetlb pages"
                    + " (HugePages.HUGETLB_2MB) from a pool the administrator set aside."),

    /** THP runs in {@code madvise} mode and the memory was not advised (or was advised against). */
    NOT_ADVISED("Transparent huge pages run in madvise mode and this mapping lacks MADV_HUGEPAGE, or carries"
            + " MADV_NOHUGEPAGE; for a file, the page faults then read it into base-page folios (folios the cache"
            + " already holds in huge size are still mapped huge).",
            "Map with hugePages(HugePages.TRANSPARENT), or call advise(Advice.HUGEPAGE) before touching the memory."),

    /** No whole, aligned huge page fits in the mapping. */
    SHORTER_THAN_HUGE_PAGE("The mapping is shorter than a huge page, or covers no whole block of one at a multiple of"
            + " the huge page size: only whole aligned blocks can be huge pages.",
            "Map at least one huge page at a huge-page-aligned address (hugePages(HugePages.TRANSPARENT) aligns it);"
                    + " a tail shorter than a huge page always stays in base pages."),

    /** A file mapping's address and file offset lie at different places within a huge page. */
    OFFSET_NOT_CONGRUENT("The mapping's address and its file offset are not congruent modulo the huge page size, so"
            + " no huge folio of the page cache can be mapped with one page table entry anywhere in it.",
            "Map at a file offset that is a multiple of the huge page size with hugePages(HugePages.TRANSPARENT),"
                    + " which aligns the address to match."),

    /** The mapping starts or ends inside a huge page block: its head stays in base pages. */
    ADDRESS_NOT_ALIGNED("The mapping does not start at a multiple of the huge page size: the part before its first"
            + " aligned block stays in base pages.",
            "Align the mapping to the huge page size (align(...) or hugePages(HugePages.TRANSPARENT))."),

    /** The file system (or shmem) caches this file in base pages only. */
    FILE_SYSTEM_WITHOUT_LARGE_FOLIOS("The file system holding the file caches it in base pages only: tmpfs mounted"
            + " without huge=, shared anonymous memory while shmem_enabled is never, or a file system (or kernel)"
            + " without large folio support.",
            "Put the file on a file system with large folios (ext4 on Linux 6.16+, XFS), mount tmpfs with"
                    + " huge=within_size or huge=advise, or load it into huge-page memory with Aligned.load."),

    /** The page cache held the file's pages in small folios before this mapping touched them. */
    SMALL_FOLIOS_CACHED("The page cache already held pages of this range before the mapping touched them, in small"
            + " folios from earlier reads or writes (such as write(2) in 8 KiB pieces); cached folios keep their"
            + " size, so those blocks are mapped with base pages.",
            "Map with rebuildPageCache(true), which writes the range back and drops its cached pages so that the"
                    + " mapping reads them into huge folios; or write the file with HugePageOutputStream."),

    /** Part of the mapping has not been touched yet, so nothing backs it. */
    NOT_TOUCHED("Part of the mapping has not been touched yet: no page backs it, huge or not.",
            "Touch or read the memory, or map with populate(true)."),

    /** A hugetlb mapping made without reservation has more untouched pages than the pool has free ones. */
    HUGETLB_POOL_EMPTY("The hugetlb pool has fewer free pages than this mapping, made without a reservation"
            + " (MAP_NORESERVE), still needs: touching the rest raises SIGBUS.",
            "As root, raise nr_hugepages of the pool (/sys/kernel/mm/hugepages/hugepages-<size>kB/nr_hugepages),"
                    + " or map without MAP_NORESERVE so that the mapping fails up front."),

    /** The kernel found no free huge page when a page fault asked for one and fell back to base pages. */
    FRAGMENTATION("Free memory is too fragmented (or a memory cgroup too full) for huge pages: the kernel fell"
            + " back to base pages where a fault asked for a huge one.",
            "Free or compact memory (as root: echo 1 > /proc/sys/vm/compact_memory), map earlier in the process's"
                    + " life, or use hugetlb pages reserved at boot."),

    /** Touched blocks lack huge pages and none of the causes above was found. */
    UNEXPLAINED("Some touched huge-page blocks are mapped with base pages and the report found no cause it can see"
            + " (possible: a split by mprotect, mremap or a partial munmap, private copies of written pages,"
            + " memory reclaim).",
            "Compare Backing before and after each step; the kernel's own view needs root (/proc/kpageflags).");

    private final String description;
    private final String remedy;

    HugePageObstacle(String description, String remedy) {
        this.description = description;
        this.remedy = remedy;
    }

    /**
     * Says what stands in the way.
     *
     * @return one sentence
     */
    public String description() {
        return description;
    }

    /**
     * Says what removes the obstacle.
     *
     * @return one or two sentences
     */
    public String remedy() {
        return remedy;
    }
}
