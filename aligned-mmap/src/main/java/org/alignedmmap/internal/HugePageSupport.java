package org.alignedmmap.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.alignedmmap.MmapConstants.MAP_ANONYMOUS;
import static org.alignedmmap.MmapConstants.MAP_HUGETLB;
import static org.alignedmmap.MmapConstants.MAP_HUGE_MASK;
import static org.alignedmmap.MmapConstants.MAP_HUGE_SHIFT;
import static org.alignedmmap.MmapConstants.MAP_POPULATE;
import static org.alignedmmap.MmapConstants.MAP_PRIVATE;
import static org.alignedmmap.MmapConstants.MAP_TYPE;
import static org.alignedmmap.MmapConstants.PROT_WRITE;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import org.alignedmmap.Advice;
import org.alignedmmap.ErrnoException;
import org.alignedmmap.HugePagePool;
import org.alignedmmap.HugePages;

/**
 * The one place where a {@link HugePages} choice and {@code populate} become mapping parameters
 * (alignment, flags, granule) and the steps after {@code mmap} ({@code madvise}), for {@link
 * org.alignedmmap.Mmap} and {@link NativeMemory} alike.
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
 */
public final class HugePageSupport {
    /** How to populate: not at all, or with read or write faults. */
    public enum Populate {
        /** No population. */
        NONE,
        /** Read faults: page cache pages mapped, the zero page for private anonymous memory. */
        READ,
        /** Write faults: pages of its own for private anonymous memory. */
        WRITE
    }

    /**
     * The resolved mapping parameters.
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
    public record Plan(HugePages hugePages, long align, int flags, long granule, boolean adviseHugePage,
                       Populate populate, boolean populateInMmap) {
        /**
         * Tells whether the mapping is made of hugetlb pages.
         *
         * @return true if the flags contain {@code MAP_HUGETLB}
         */
        public boolean isHugetlb() {
            return (flags & MAP_HUGETLB) != 0;
        }
    }

    private HugePageSupport() {}

    /**
     * Resolves the options into mapping parameters. Checks only what this class adds; the
     * caller has checked the rest.
     *
     * @param hugePages the choice
     * @param align the alignment asked for, a power of two
     * @param prot the protection bits
     * @param flags the mapping flags; {@code MAP_ANONYMOUS} set for anonymous memory
     * @param offset the file offset (0 for anonymous memory)
     * @param populate whether to fault every page in
     * @return the plan
     * @throws IllegalArgumentException for hugetlb with a file, for {@link HugePages#TRANSPARENT}
     *     with a file offset that is not a multiple of the huge page size, or for flags that
     *     already choose hugetlb pages together with a {@code hugePages} choice
     * @throws UnsupportedOperationException if the system cannot provide the pages asked for
     */
    public static Plan plan(HugePages hugePages, long align, int prot, int flags, long offset, boolean populate) {
        Objects.requireNonNull(hugePages, "hugePages");
        boolean anonymous = (flags & MAP_ANONYMOUS) != 0;
        if (hugePages != HugePages.NONE && (flags & (MAP_HUGETLB | (MAP_HUGE_MASK << MAP_HUGE_SHIFT))) != 0) {
            throw new IllegalArgumentException("hugePages(" + hugePages + ") cannot be combined with flags that"
                    + " already choose hugetlb pages (" + org.alignedmmap.MmapConstants.describeFlags(flags)
                    + "); use one or the other");
        }
        long page = Platform.pageSize();
        long granule = page;
        boolean advise = false;
        int planned = flags;
        switch (hugePages) {
            case NONE -> granule = granuleOf(flags);
            case TRANSPARENT -> {
                long pmd = requireAvailable(hugePages);
                if (!anonymous && offset % pmd != 0) {
                    // The page cache holds a file's huge pages at offsets that are multiples of
                    // their size, and a PMD can map one only where the address is congruent:
                    // with the address aligned, any other offset would get no huge page at all.
                    throw new IllegalArgumentException("hugePages(TRANSPARENT) maps a file with huge pages only at"
                            + " file offsets on the huge page grid: offset must be a multiple of " + pmd
                            + ", was " + offset);
                }
                align = Math.max(align, pmd);
                advise = true;
            }
            case HUGETLB_2MB, HUGETLB_1GB, HUGETLB_DEFAULT -> {
                if (!anonymous) {
                    throw new IllegalArgumentException("hugePages(" + hugePages + ") applies to anonymous memory "
                            + "only; mapping files on hugetlbfs is not supported: use anonymous(length)");
                }
                granule = requireAvailable(hugePages);
                align = Math.max(align, granule);
                planned |= hugePages.mmapFlags();
            }
        }
        Populate how = Populate.NONE;
        boolean inMmap = false;
        if (populate) {
            boolean writable = (prot & PROT_WRITE) != 0;
            boolean privateMapping = (flags & MAP_TYPE) == MAP_PRIVATE;
            // Anonymous memory needs write faults for pages of its own; files only ever read
            // faults, which neither dirty a shared page nor copy a private one.
            how = anonymous && writable && privateMapping ? Populate.WRITE : Populate.READ;
            // MAP_POPULATE makes the same faults, except for private writable files (write
            // faults: a copy of every page), and it runs before MADV_HUGEPAGE could apply.
            inMmap = !advise && !(!anonymous && privateMapping && writable);
            if (inMmap) {
                planned |= MAP_POPULATE;
            }
        }
        return new Plan(hugePages, align, planned, granule, advise, how, inMmap);
    }

    /**
     * Chooses the sharing type of anonymous memory: {@link HugePages#TRANSPARENT} gets {@code
     * MAP_PRIVATE} unless the caller chose one, because {@code MAP_SHARED} anonymous memory is
     * shmem, whose huge pages follow {@code shmem_enabled} (often {@code never}) rather than the
     * {@code madvise} the option relies on.
     *
     * @param hugePages the choice
     * @param flags the flags in effect
     * @param chosen whether the caller chose the sharing type (flags or an access mode)
     * @return the flags to map anonymous memory with
     */
    public static int anonymousFlags(HugePages hugePages, int flags, boolean chosen) {
        if (hugePages == HugePages.TRANSPARENT && !chosen) {
            return (flags & ~MAP_TYPE) | MAP_PRIVATE;
        }
        return flags;
    }

    /**
     * Maps according to a plan and applies what follows {@code mmap}.
     *
     * @param plan the plan
     * @param length bytes, at least 1
     * @param prot protection bits
     * @param fd the file, or -1
     * @param offset the file offset
     * @return the address, a multiple of {@code plan.align()}
     * @throws ErrnoException if mapping or advising fails; a hugetlb ENOMEM explains the pool.
     *     Nothing is left mapped then
     */
    public static long map(Plan plan, long length, int prot, int fd, long offset) throws ErrnoException {
        long address;
        try {
            address = AlignedMapper.map(length, plan.align(), prot, plan.flags(), fd, offset, plan.granule());
        } catch (ErrnoException e) {
            throw plan.isHugetlb() && e.errno() == Errno.ENOMEM && e.call().equals("mmap")
                    && !AlignedMapper.isReservationFailure(e) ? explainPool(e, plan, length) : e;
        }
        try {
            afterMap(plan, address, length);
        } catch (ErrnoException | RuntimeException | Error e) {
            try {
                AlignedMapper.unmap(address, length, plan.granule());
            } catch (ErrnoException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
        return address;
    }

    /**
     * Applies the advice and the population of a plan to a fresh mapping (or a fresh part of
     * one: population writes zeros from Java on old kernels, harmless only on memory no one has
     * written yet).
     *
     * @param plan the plan
     * @param address the mapping's address, page-aligned
     * @param length its length
     * @throws ErrnoException if the kernel refuses
     */
    public static void afterMap(Plan plan, long address, long length) throws ErrnoException {
        long span = Alignments.alignUp(length, Platform.pageSize());
        if (plan.adviseHugePage()) {
            LibC.madvise(address, span, Advice.HUGEPAGE.value());
        }
        if (!plan.populateInMmap()) {
            populate(plan.populate(), address, span);
        }
    }

    /**
     * Populates the part of a mapping a resize added, best effort (as {@code MAP_POPULATE} is).
     *
     * @param plan the mapping's plan
     * @param address the mapping's address
     * @param oldLength its length before
     * @param newLength its length now
     */
    public static void populateGrowth(Plan plan, long address, long oldLength, long newLength) {
        long page = Platform.pageSize();
        long from = Alignments.alignUp(oldLength, page);
        long to = Alignments.alignUp(newLength, page);
        if (to <= from) {
            return;
        }
        try {
            populate(plan.populate(), address + from, to - from);
        } catch (ErrnoException | RuntimeException e) {
            // Population is an optimization: the resize itself succeeded, and the pages still
            // fault in when touched. MAP_POPULATE ignores its failures the same way.
        }
    }

    /**
     * Returns the granule of a mapping with these flags: the hugetlb page size for {@code
     * MAP_HUGETLB} (from its size bits, or the default size), else the base page size.
     *
     * @param flags mapping flags
     * @return the granule
     * @throws UnsupportedOperationException for {@code MAP_HUGETLB} without size bits on a system
     *     that does not tell its default huge page size
     */
    public static long granuleOf(int flags) {
        if ((flags & MAP_HUGETLB) == 0) {
            return Platform.pageSize();
        }
        int shift = (flags >>> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
        return shift != 0 ? 1L << shift : HugePages.HUGETLB_DEFAULT.pageSize();
    }

    /** Populates a page-aligned range: {@code madvise} on 5.14+, one access per page before. */
    static void populate(Populate how, long address, long span) throws ErrnoException {
        if (how == Populate.NONE || span == 0) {
            return;
        }
        Advice advice = how == Populate.WRITE ? Advice.POPULATE_WRITE : Advice.POPULATE_READ;
        if (advice.isSupported()) {
            LibC.madvise(address, span, advice.value());
        } else {
            touch(address, span, how == Populate.WRITE);
        }
    }

    /**
     * Faults every page of a range in from Java, for kernels without {@code MADV_POPULATE_*}.
     * Java code, not a downcall: a page of a truncated file then raises an {@link InternalError}
     * instead of killing the JVM.
     *
     * @param write whether to write a zero into each page (fresh anonymous memory only)
     * @return the sum of the bytes read, so that the reads cannot be optimized away
     */
    static long touch(long address, long span, boolean write) {
        long page = Platform.pageSize();
        MemorySegment memory = MemorySegment.ofAddress(address).reinterpret(span);
        long sum = 0;
        for (long at = 0; at < span; at += page) {
            if (write) {
                memory.set(JAVA_BYTE, at, (byte) 0);
            } else {
                sum += memory.get(JAVA_BYTE, at);
            }
        }
        return sum;
    }

    private static long requireAvailable(HugePages hugePages) {
        hugePages.unavailableReason().ifPresent(reason -> {
            throw new UnsupportedOperationException("hugePages(" + hugePages + ") is not available here: " + reason);
        });
        return hugePages.pageSize();
    }

    private static ErrnoException explainPool(ErrnoException e, Plan plan, long length) {
        long size = plan.granule();
        long needed = Alignments.alignUp(length, size) / size;
        HugePagePool pool = null;
        try {
            pool = SysFs.hugePagePools(SysFs.HUGEPAGES).stream().filter(p -> p.size() == size).findFirst()
                    .orElse(null);
        } catch (RuntimeException unreadable) {
            // The message says the counts could not be read.
        }
        return Errno.hugetlbPoolTooSmall(e, size, needed, SysFs.hugePoolDirectory(SysFs.HUGEPAGES, size), pool);
    }

}
