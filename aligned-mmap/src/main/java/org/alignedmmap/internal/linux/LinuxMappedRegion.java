package org.alignedmmap.internal.linux;

import static org.alignedmmap.MmapConstants.MAP_PRIVATE;
import static org.alignedmmap.MmapConstants.MAP_TYPE;

import java.lang.foreign.MemorySegment;
import org.alignedmmap.Advice;
import org.alignedmmap.Backing;
import org.alignedmmap.ErrnoException;
import org.alignedmmap.HugePagePool;
import org.alignedmmap.HugePageReport;
import org.alignedmmap.HugePages;
import org.alignedmmap.Residency;
import org.alignedmmap.internal.MappedRegion;
import org.alignedmmap.internal.MappingRequest;
import org.alignedmmap.internal.OpenFile;
import org.alignedmmap.internal.PowerOfTwo;

/**
 * A mapping on Linux: made by {@link #map} from a {@link MappingPlan} (reserve-then-trim
 * placement, {@code MADV_HUGEPAGE}, population), then every system call made for it, resize's
 * choreography included. Released exactly once.
 *
 * <p>Holds no reference to the public objects or arenas, so that a cleaner that releases it does
 * not keep them alive.
 */
final class LinuxMappedRegion implements MappedRegion {
    private final LinuxSystem system;
    private final MappingPlan plan;
    private final int prot;
    private final long fileOffset;
    private final boolean anonymous;
    private long address;
    private long length;
    /** The file kept open for the region's lifetime, or null. */
    private OpenFile file;
    /** What was true before mapping, for the huge page report; null unless transparent huge pages. */
    private final HugePageBaseline baseline;
    /** Whether {@link #lock()} is in force; a resize keeps it. */
    private boolean locked;
    private boolean released;

    private LinuxMappedRegion(LinuxSystem system, MappingPlan plan, MappingRequest request, long address,
                              OpenFile file, HugePageBaseline baseline) {
        this.system = system;
        this.plan = plan;
        this.prot = request.prot();
        this.fileOffset = request.offset();
        this.anonymous = request.anonymous();
        this.address = address;
        this.length = request.length();
        this.file = file;
        this.baseline = baseline;
    }

    /**
     * Maps what a request asks for.
     *
     * @throws ErrnoException if mapping, advising or populating fails (a hugetlb ENOMEM then
     *     explains the pool); nothing is left mapped
     */
    static LinuxMappedRegion map(LinuxSystem system, MappingRequest request) throws ErrnoException {
        MappingPlan plan = MappingPlan.of(request, system);
        int fd = request.anonymous() ? -1 : request.file().descriptor();
        // Before the range is mapped, faulted or populated: the rebuild, and what the huge page
        // report compares with later.
        HugePageBaseline baseline = null;
        if (plan.hugePages() == HugePages.TRANSPARENT) {
            baseline = request.anonymous() ? HugePageBaseline.beforeAnonymousMapping()
                    : HugePageBaseline.beforeFileMapping(fd, FileStatus.of(fd), request.offset(), request.length(),
                            request.rebuildPageCache());
        }
        long address = mapAndPrepare(system, plan, request.length(), request.prot(), fd, request.offset());
        return new LinuxMappedRegion(system, plan, request, address, request.keepFile() ? request.file() : null,
                baseline);
    }

    /** Maps according to a plan and applies the steps that follow {@code mmap}. */
    private static long mapAndPrepare(LinuxSystem system, MappingPlan plan, long length, int prot, int fd,
                                      long offset) throws ErrnoException {
        long address = AlignedMapper.map(length, plan.align(), prot, plan.flags(), fd, offset, plan.granule(),
                failure -> plan.isHugetlb() && failure.errno() == Errno.ENOMEM
                        ? explainPool(system, failure, plan, length) : failure);
        try {
            long span = PowerOfTwo.alignUp(length, system.pageSize());
            if (plan.adviseHugePage()) {
                LibC.madvise(address, span, Advice.HUGEPAGE.value());
            }
            if (!plan.populateInMmap()) {
                plan.populate().apply(system, address, span);
            }
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

    @Override
    public synchronized long address() {
        return address;
    }

    @Override
    public synchronized long length() {
        return length;
    }

    @Override
    public synchronized long span() {
        return PowerOfTwo.alignUp(length, plan.granule());
    }

    @Override
    public long granule() {
        return plan.granule();
    }

    @Override
    public long alignment() {
        return plan.align();
    }

    @Override
    public int flags() {
        return plan.flags();
    }

    @Override
    public HugePages hugePages() {
        return plan.hugePages();
    }

    @Override
    public synchronized boolean keepsFile() {
        return file != null;
    }

    @Override
    public synchronized long fileSize() throws ErrnoException {
        if (file == null) {
            throw new IllegalStateException("the mapping keeps no file");
        }
        return file.stat().size();
    }

    @Override
    public synchronized void resize(long newLength) throws ErrnoException {
        long oldLength = length;
        if (anonymous) {
            resizeAnonymous(oldLength, newLength);
        } else {
            resizeFile(oldLength, newLength);
        }
        // mremap keeps MADV_HUGEPAGE and mlock on the pages it keeps and adds (and locks and
        // faults in what it adds); population of what was added is this class's.
        populateGrowth(oldLength, newLength);
    }

    private void resizeAnonymous(long oldLength, long newLength) throws ErrnoException {
        long granule = plan.granule();
        boolean shared = (plan.flags() & MAP_TYPE) != MAP_PRIVATE;
        long oldSpan = PowerOfTwo.alignUp(oldLength, granule);
        long newSpan = PowerOfTwo.alignUp(newLength, granule);
        // Shared anonymous memory is a shmem object of fixed size: mremap could grow the mapping
        // but not the object, and the new pages would fault. hugetlb mappings cannot be grown or
        // shrunk by mremap at all. Both are copied into a new mapping instead.
        if ((shared && newSpan > oldSpan) || (plan.isHugetlb() && newSpan != oldSpan)) {
            address = copyIntoNewMapping(oldLength, newLength);
        } else {
            address = AlignedMapper.remap(address, oldLength, newLength, plan.align(), granule);
        }
        length = newLength;
    }

    /** Moves the contents into a fresh mapping of the new length, made and advised as this one was. */
    @SuppressWarnings("restricted") // two mappings this region owns, of these lengths
    private long copyIntoNewMapping(long oldLength, long newLength) throws ErrnoException {
        long granule = plan.granule();
        long moved = mapAndPrepare(system, plan, newLength, prot, -1, 0);
        try {
            if (locked) {
                MemoryLock.lock(moved, PowerOfTwo.alignUp(newLength, granule));
            }
        } catch (ErrnoException | RuntimeException e) {
            AlignedMapper.unmap(moved, newLength, granule);
            throw e;
        }
        long kept = Math.min(oldLength, newLength);
        // Anonymous memory on both sides: no page can fault with SIGBUS.
        MemorySegment.copy(MemorySegment.ofAddress(address).reinterpret(kept), 0,
                MemorySegment.ofAddress(moved).reinterpret(newLength), 0, kept);
        AlignedMapper.unmap(address, oldLength, granule);
        return moved;
    }

    private void resizeFile(long oldLength, long newLength) throws ErrnoException {
        long granule = plan.granule();
        int fd = file.descriptor();
        long oldFileSize = FileStatus.of(fd).size();
        long newFileSize = fileOffset + newLength;
        if (newFileSize > oldFileSize) {
            // Growing the file first is undone exactly by shrinking it back.
            LibC.ftruncate(fd, newFileSize);
            try {
                address = AlignedMapper.remap(address, oldLength, newLength, plan.align(), granule);
                length = newLength;
            } catch (ErrnoException | RuntimeException e) {
                try {
                    LibC.ftruncate(fd, oldFileSize);
                } catch (ErrnoException undo) {
                    e.addSuppressed(undo);
                }
                throw e;
            }
            return;
        }
        // Shrinking the file destroys data, so it comes last, once the mapping has its new length.
        address = AlignedMapper.remap(address, oldLength, newLength, plan.align(), granule);
        length = newLength;
        try {
            LibC.ftruncate(fd, newFileSize);
        } catch (ErrnoException e) {
            try {
                address = AlignedMapper.remap(address, newLength, oldLength, plan.align(), granule);
                length = oldLength;
            } catch (ErrnoException undo) {
                // The mapping keeps its new length over a file that did not shrink: consistent.
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    /** Populates the part a resize added, best effort, as {@code MAP_POPULATE} is. */
    private void populateGrowth(long oldLength, long newLength) {
        long page = system.pageSize();
        long from = PowerOfTwo.alignUp(oldLength, page);
        long to = PowerOfTwo.alignUp(newLength, page);
        if (to <= from) {
            return;
        }
        try {
            plan.populate().apply(system, address + from, to - from);
        } catch (ErrnoException | RuntimeException e) {
            // Population is an optimization: the resize itself succeeded, and the pages still
            // fault in when touched. MAP_POPULATE ignores its failures the same way.
        }
    }

    @Override
    public void flush(long offset, long bytes, int flags) throws ErrnoException {
        LibC.msync(address() + offset, bytes, flags);
    }

    @Override
    public void advise(long offset, long bytes, Advice advice) throws ErrnoException {
        LibC.madvise(address() + offset, bytes, advice.value());
    }

    @Override
    public synchronized void lock() throws ErrnoException {
        MemoryLock.lock(address, span());
        locked = true;
    }

    @Override
    public synchronized void unlock() throws ErrnoException {
        MemoryLock.unlock(address, span());
        locked = false;
    }

    @Override
    public void setName(String name) throws ErrnoException {
        try {
            LibC.nameAnonymousMemory(address(), span(), name);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EINVAL) {
                // The name and the range were checked before: what is left is a kernel that
                // cannot name memory (before 5.17, or built without CONFIG_ANON_VMA_NAME).
                throw new UnsupportedOperationException("this kernel cannot name memory: " + e.getMessage()
                        + "; naming needs Linux 5.17 or later built with CONFIG_ANON_VMA_NAME=y", e);
            }
            throw e;
        }
    }

    @Override
    public Backing backing() {
        long start = address();
        return system.backing(start, start + span());
    }

    @Override
    public HugePageReport hugePageReport() {
        boolean shared = (plan.flags() & MAP_TYPE) != MAP_PRIVATE;
        long start = address();
        return HugePageDiagnosis.report(start, length(), span(), anonymous ? -1 : fileOffset, shared,
                plan.isHugetlb(), plan.granule(), baseline);
    }

    @Override
    public Residency residency() throws ErrnoException {
        return system.residency(address(), span());
    }

    @Override
    public synchronized void closeFile() {
        if (file != null) {
            file.close();
            file = null;
        }
    }

    @Override
    public synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        closeFile();
        AlignedMapper.unmapOwned(address, length, plan.granule());
    }

    private static ErrnoException explainPool(LinuxSystem system, ErrnoException e, MappingPlan plan, long length) {
        long size = plan.granule();
        long needed = PowerOfTwo.alignUp(length, size) / size;
        HugePagePool pool = null;
        try {
            pool = system.hugePagePools().stream().filter(p -> p.size() == size).findFirst().orElse(null);
        } catch (RuntimeException unreadable) {
            // The message says the counts could not be read.
        }
        return Errno.hugetlbPoolTooSmall(e, size, needed, SysFs.hugePoolDirectory(SysFs.HUGEPAGES, size), pool);
    }

    @Override
    public synchronized String toString() {
        return "region[" + LibC.hex(address) + ", " + length + " bytes" + (released ? ", released" : "") + "]";
    }
}
