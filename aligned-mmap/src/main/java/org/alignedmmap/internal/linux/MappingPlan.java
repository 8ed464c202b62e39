package org.alignedmmap.internal.linux;

import static org.alignedmmap.MmapConstants.MAP_HUGETLB;
import static org.alignedmmap.MmapConstants.MAP_HUGE_MASK;
import static org.alignedmmap.MmapConstants.MAP_HUGE_SHIFT;
import static org.alignedmmap.MmapConstants.MAP_POPULATE;
import static org.alignedmmap.MmapConstants.MAP_PRIVATE;
import static org.alignedmmap.MmapConstants.MAP_TYPE;
import static org.alignedmmap.MmapConstants.PROT_WRITE;

import org.alignedmmap.HugePages;
import org.alignedmmap.MmapConstants;
import org.alignedmmap.internal.MappingRequest;

/**
 * How a mapping is made on Linux: the {@link MappingRequest} resolved into {@code mmap}
 * parameters (alignment, flags, granule) and the steps after {@code mmap} ({@code
 * MADV_HUGEPAGE}, population). The one place where a {@link HugePages} choice and {@code
 * populate} turn into system call arguments, for file mappings and allocations alike; {@link
 * LinuxMappedRegion} carries the steps out.
 *
 * <h2>Population</h2>
 * {@code MAP_POPULATE} faults the pages in inside {@code mmap} itself: as writes for private
 * writable mappings, as reads for all others (the kernel's rule). Two cases need {@code
 * MADV_POPULATE_READ}/{@code _WRITE} (Linux 5.14) after {@code mmap} instead:
 * <ul>
 *   <li>{@link HugePages#TRANSPARENT}: {@code MAP_POPULATE} would fault the pages in before
 *       {@code MADV_HUGEPAGE} is set, so in THP's {@code madvise} mode they would all be base
 *       pages. Populating after the advice gets huge pages.
 *   <li>Private writable file mappings ({@code Access.COPY}): {@code MAP_POPULATE}'s write faults
 *       would make a private copy of every page of the file (all of it anonymous memory, as if
 *       every page had been written); a read population maps the page cache and leaves copying
 *       to the writes that actually happen.
 * </ul>
 * Private writable anonymous memory is populated with write faults (a read fault would only map
 * the shared zero page), everything else with read faults, which never dirty a file page and
 * still allocate shmem pages. On kernels before 5.14 the same faults are made from Java, one
 * access per page. Unlike {@code MAP_POPULATE}, whose failures the kernel ignores, the {@code
 * madvise} path reports them.
 *
 * @param hugePages the choice
 * @param align the alignment to map at: the caller's, raised to the huge page size
 * @param flags the {@code mmap} flags: the caller's, plus {@code MAP_HUGETLB} and size bits,
 *     plus {@code MAP_POPULATE} where that is how population is done
 * @param granule the unit the kernel rounds the mapping to: the hugetlb page size, else the
 *     base page size; {@code munmap} needs the length rounded to it
 * @param adviseHugePage whether {@code madvise(MADV_HUGEPAGE)} follows {@code mmap}
 * @param populate how the pages are populated (also the part a resize adds)
 * @param populateInMmap whether {@code MAP_POPULATE} does it, else {@code madvise} after
 *     {@code mmap}
 */
record MappingPlan(HugePages hugePages, long align, int flags, long granule, boolean adviseHugePage,
                   Population populate, boolean populateInMmap) {
    /**
     * Tells whether the mapping is made of hugetlb pages.
     *
     * @return true if the flags contain {@code MAP_HUGETLB}
     */
    boolean isHugetlb() {
        return (flags & MAP_HUGETLB) != 0;
    }

    /**
     * Resolves a request into mapping parameters. Checks only what this class adds; the
     * caller has checked the rest.
     *
     * @param request the request
     * @param system the system, for its page and huge page sizes
     * @return the plan
     * @throws IllegalArgumentException for hugetlb with a file, for {@link HugePages#TRANSPARENT}
     *     with a file offset that is not a multiple of the huge page size, or for flags that
     *     already choose hugetlb pages together with a {@code hugePages} choice
     * @throws UnsupportedOperationException if the system cannot provide the pages asked for
     */
    static MappingPlan of(MappingRequest request, LinuxSystem system) {
        HugePages hugePages = request.hugePages();
        boolean anonymous = request.anonymous();
        int flags = anonymousFlags(request);
        if (hugePages != HugePages.NONE && (flags & (MAP_HUGETLB | (MAP_HUGE_MASK << MAP_HUGE_SHIFT))) != 0) {
            throw new IllegalArgumentException("hugePages(" + hugePages + ") cannot be combined with flags that"
                    + " already choose hugetlb pages (" + MmapConstants.describeFlags(flags)
                    + "); use one or the other");
        }
        long align = request.align();
        long granule = system.pageSize();
        boolean advise = false;
        int planned = flags;
        switch (hugePages) {
            case NONE -> granule = granuleOf(flags, system);
            case TRANSPARENT -> {
                long pmd = requireAvailable(hugePages, system);
                if (!anonymous && request.offset() % pmd != 0) {
                    // The page cache holds a file's huge pages at offsets that are multiples of
                    // their size, and a PMD can map one only where the address is congruent:
                    // with the address aligned, any other offset would get no huge page at all.
                    throw new IllegalArgumentException("hugePages(TRANSPARENT) maps a file with huge pages only at"
                            + " file offsets on the huge page grid: offset must be a multiple of " + pmd
                            + ", was " + request.offset());
                }
                align = Math.max(align, pmd);
                advise = true;
            }
            case HUGETLB_2MB, HUGETLB_1GB, HUGETLB_DEFAULT -> {
                if (!anonymous) {
                    throw new IllegalArgumentException("hugePages(" + hugePages + ") applies to anonymous memory "
                            + "only; mapping files on hugetlbfs is not supported: use anonymous(length)");
                }
                granule = requireAvailable(hugePages, system);
                align = Math.max(align, granule);
                planned |= hugePages.mmapFlags();
            }
        }
        Population how = Population.NONE;
        boolean inMmap = false;
        if (request.populate()) {
            int prot = request.prot();
            boolean writable = (prot & PROT_WRITE) != 0;
            boolean privateMapping = (flags & MAP_TYPE) == MAP_PRIVATE;
            // Anonymous memory needs write faults for pages of its own; files only ever read
            // faults, which neither dirty a shared page nor copy a private one.
            how = anonymous && writable && privateMapping ? Population.WRITE : Population.READ;
            // MAP_POPULATE makes the same faults, except for private writable files (write
            // faults: a copy of every page), and it runs before MADV_HUGEPAGE could apply.
            inMmap = !advise && !(!anonymous && privateMapping && writable);
            if (inMmap) {
                planned |= MAP_POPULATE;
            }
        }
        return new MappingPlan(hugePages, align, planned, granule, advise, how, inMmap);
    }

    /**
     * Chooses the sharing type of anonymous memory: {@link HugePages#TRANSPARENT} gets {@code
     * MAP_PRIVATE} unless the caller chose one, because {@code MAP_SHARED} anonymous memory is
     * shmem, whose huge pages follow {@code shmem_enabled} (often {@code never}) rather than the
     * {@code madvise} the option relies on.
     */
    private static int anonymousFlags(MappingRequest request) {
        int flags = request.flags();
        if (request.anonymous() && request.hugePages() == HugePages.TRANSPARENT && !request.sharingChosen()) {
            return (flags & ~MAP_TYPE) | MAP_PRIVATE;
        }
        return flags;
    }

    /**
     * Returns the granule of a mapping with these flags: the hugetlb page size for {@code
     * MAP_HUGETLB} (from its size bits, or the default size), else the base page size.
     *
     * @throws UnsupportedOperationException for {@code MAP_HUGETLB} without size bits on a system
     *     that does not tell its default huge page size
     */
    private static long granuleOf(int flags, LinuxSystem system) {
        if ((flags & MAP_HUGETLB) == 0) {
            return system.pageSize();
        }
        int shift = (flags >>> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
        return shift != 0 ? 1L << shift : system.pageSize(HugePages.HUGETLB_DEFAULT);
    }

    private static long requireAvailable(HugePages hugePages, LinuxSystem system) {
        system.unavailableReason(hugePages).ifPresent(reason -> {
            throw new UnsupportedOperationException("hugePages(" + hugePages + ") is not available here: " + reason);
        });
        return system.pageSize(hugePages);
    }
}
