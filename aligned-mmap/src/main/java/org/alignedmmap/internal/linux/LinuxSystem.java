package org.alignedmmap.internal.linux;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.alignedmmap.Advice;
import org.alignedmmap.Backing;
import org.alignedmmap.DirectIoAlignment;
import org.alignedmmap.ErrnoException;
import org.alignedmmap.HugePagePool;
import org.alignedmmap.HugePages;
import org.alignedmmap.Residency;
import org.alignedmmap.TransparentHugePages;
import org.alignedmmap.internal.MappedRegion;
import org.alignedmmap.internal.MappingRequest;
import org.alignedmmap.internal.OpenFile;
import org.alignedmmap.internal.OperatingSystem;

/**
 * Linux, through its C library (glibc or musl) and its pseudo file systems: the one
 * implementation of {@link OperatingSystem} so far. Every fact is read when first asked for,
 * never at class initialization, and facts that cannot change while the JVM lives (the page
 * size, the kernel version) are read once.
 *
 * <p>Where each part lives: system calls in {@link LibC} (errno turned into exceptions by
 * {@link Errno}); the placement of aligned mappings in {@link AlignedMapper}; a mapping and its
 * calls in {@link LinuxMappedRegion}, made by the steps {@link MappingPlan} resolves; descriptors
 * in {@link LinuxFile}; {@code /sys} and {@code /proc} readings in {@link SysFs}, {@link Smaps},
 * {@link Mincore}, {@link MemoryLock} and {@link FileStatus}.
 */
public final class LinuxSystem implements OperatingSystem {
    /** {@code _SC_PAGESIZE} in glibc's and musl's {@code <unistd.h>} on Linux. */
    private static final int SC_PAGESIZE = 30;

    /** {@code _SC_LEVEL1_DCACHE_LINESIZE}: glibc only; musl answers -1. */
    private static final int SC_LEVEL1_DCACHE_LINESIZE = 190;

    /** The running kernel's major and minor version, from {@code os.version} ({@code uname -r}). */
    private static final int[] KERNEL = kernelVersion(System.getProperty("os.version", "0.0"));

    private static final class PageSize {
        static final long VALUE = readPageSize();
    }

    /**
     * Returns the base page size, for this package's static helpers.
     *
     * @return the page size in bytes
     */
    static long basePageSize() {
        return PageSize.VALUE;
    }

    /** Made only by {@link OperatingSystem#current()}, after the platform check. */
    public LinuxSystem() {}

    @Override
    public long pageSize() {
        return PageSize.VALUE;
    }

    @Override
    public long allocationGranularity() {
        return PageSize.VALUE;
    }

    @Override
    public OptionalLong cacheLineSize() {
        long size = LibC.sysconf(SC_LEVEL1_DCACHE_LINESIZE);
        return size > 0 ? OptionalLong.of(size) : SysFs.cacheLineSize(SysFs.CPU0_CACHES);
    }

    @Override
    public List<Long> hugePageSizes() {
        return SysFs.hugePageSizes(SysFs.HUGEPAGES);
    }

    @Override
    public List<HugePagePool> hugePagePools() {
        return SysFs.hugePagePools(SysFs.HUGEPAGES);
    }

    @Override
    public TransparentHugePages transparentHugePages() {
        return SysFs.transparentHugePages(SysFs.TRANSPARENT_HUGEPAGE);
    }

    @Override
    public OptionalLong transparentHugePageSize() {
        return SysFs.transparentHugePageSize(SysFs.TRANSPARENT_HUGEPAGE);
    }

    @Override
    public long pageSize(HugePages kind) {
        return switch (kind) {
            case NONE -> pageSize();
            case TRANSPARENT -> transparentHugePageSize()
                    .orElseThrow(() -> new UnsupportedOperationException(unavailableReason(kind).orElseThrow()));
            case HUGETLB_2MB -> 2L << 20;
            case HUGETLB_1GB -> 1L << 30;
            case HUGETLB_DEFAULT -> SysFs.defaultHugePageSize(SysFs.PROC_MEMINFO)
                    .orElseThrow(() -> new UnsupportedOperationException(unavailableReason(kind).orElseThrow()));
        };
    }

    @Override
    public Optional<String> unavailableReason(HugePages kind) {
        return switch (kind) {
            case NONE -> Optional.empty();
            case TRANSPARENT -> transparentUnavailableReason();
            case HUGETLB_2MB, HUGETLB_1GB -> hugetlbUnavailableReason(pageSize(kind));
            case HUGETLB_DEFAULT -> {
                OptionalLong size = SysFs.defaultHugePageSize(SysFs.PROC_MEMINFO);
                yield size.isPresent() ? hugetlbUnavailableReason(size.getAsLong())
                        : Optional.of("the kernel has no hugetlb support: " + SysFs.PROC_MEMINFO
                                + " has no Hugepagesize line");
            }
        };
    }

    private Optional<String> transparentUnavailableReason() {
        Path enabled = SysFs.TRANSPARENT_HUGEPAGE.resolve("enabled");
        return switch (transparentHugePages()) {
            case UNSUPPORTED -> Optional.of("the kernel has no transparent huge page support: " + enabled
                    + " does not exist");
            case NEVER -> Optional.of("transparent huge pages are disabled: " + enabled + " is [never]");
            case ALWAYS, MADVISE -> transparentHugePageSize().isPresent()
                    ? Optional.empty()
                    : Optional.of("the kernel does not tell the transparent huge page size: "
                            + SysFs.TRANSPARENT_HUGEPAGE.resolve("hpage_pmd_size") + " is missing");
        };
    }

    private Optional<String> hugetlbUnavailableReason(long size) {
        List<Long> sizes = hugePageSizes();
        if (sizes.contains(size)) {
            return Optional.empty();
        }
        String have = sizes.isEmpty() ? "none" : sizes.stream().map(s -> (s / 1024) + " kB")
                .collect(Collectors.joining(", "));
        return Optional.of("the kernel has no hugetlb pages of " + (size / 1024) + " kB: "
                + SysFs.hugePoolDirectory(SysFs.HUGEPAGES, size) + " does not exist (sizes here: " + have + ")");
    }

    /**
     * The advice the running kernel knows: the version that introduced it, and for advice that
     * needs an optional kernel feature (KSM, transparent huge pages) that feature's sysfs
     * directory.
     */
    @Override
    public boolean supports(Advice advice) {
        return switch (advice) {
            case NORMAL, RANDOM, SEQUENTIAL, WILLNEED, DONTNEED -> true;
            case REMOVE, DONTFORK, DOFORK -> since(2, 6);
            case MERGEABLE, UNMERGEABLE -> since(2, 6) && Files.isDirectory(Path.of("/sys/kernel/mm/ksm"));
            case HUGEPAGE, NOHUGEPAGE -> since(2, 6) && Files.isDirectory(SysFs.TRANSPARENT_HUGEPAGE);
            case DONTDUMP, DODUMP -> since(3, 4);
            case FREE -> since(4, 5);
            case WIPEONFORK, KEEPONFORK -> since(4, 14);
            case COLD, PAGEOUT -> since(5, 4);
            case POPULATE_READ, POPULATE_WRITE -> since(5, 14);
            case DONTNEED_LOCKED -> since(5, 18);
            case COLLAPSE -> since(6, 1) && Files.isDirectory(SysFs.TRANSPARENT_HUGEPAGE);
        };
    }

    private static boolean since(int major, int minor) {
        return KERNEL[0] > major || (KERNEL[0] == major && KERNEL[1] >= minor);
    }

    @Override
    public DirectIoAlignment directIoAlignment(Path path) throws IOException {
        FileStatus status;
        try {
            status = FileStatus.of(path.toAbsolutePath().toString());
        } catch (ErrnoException e) {
            throw Errno.fileException(path, e);
        }
        long store = Files.getFileStore(path).getBlockSize();
        if (status.directIoReported()) {
            if (!status.reportsDirectIoAlignment()) {
                throw new FileSystemException(path.toString(), null, "the file system reports that this file does"
                        + " not support O_DIRECT (statx STATX_DIOALIGN: memory " + status.directIoMemoryAlign()
                        + ", offset " + status.directIoOffsetAlign() + ")");
            }
            return new DirectIoAlignment(status.directIoMemoryAlign(), status.directIoOffsetAlign(),
                    DirectIoAlignment.Source.STATX_DIOALIGN, store);
        }
        OptionalLong logical = SysFs.logicalBlockSize(SysFs.DEV_BLOCK, status.deviceMajor(), status.deviceMinor());
        if (logical.isPresent()) {
            return new DirectIoAlignment(logical.getAsLong(), logical.getAsLong(),
                    DirectIoAlignment.Source.LOGICAL_BLOCK_SIZE, store);
        }
        return new DirectIoAlignment(store, store, DirectIoAlignment.Source.FILE_STORE_BLOCK_SIZE, store);
    }

    @Override
    public OpenFile open(Path path, boolean write) throws IOException {
        return LinuxFile.open(path, write);
    }

    @Override
    public OpenFile borrow(int fd) throws ErrnoException {
        return LinuxFile.borrow(fd);
    }

    @Override
    public MappedRegion map(MappingRequest request) throws ErrnoException {
        return LinuxMappedRegion.map(this, request);
    }

    @Override
    public java.lang.foreign.MemorySegment load(Path file, HugePages kind, java.lang.foreign.Arena arena)
            throws IOException {
        return FileLoader.load(this, file, kind, arena);
    }

    @Override
    public Backing backing(long start, long end) {
        return Smaps.backing(Smaps.SELF, start, end);
    }

    @Override
    public Residency residency(long start, long length) throws ErrnoException {
        long page = pageSize();
        return new Residency(Mincore.residentPages(start, length, page), length / page, page);
    }

    private static long readPageSize() {
        long size = LibC.sysconf(SC_PAGESIZE);
        if (size <= 0 || Long.bitCount(size) != 1) {
            throw new IllegalStateException("sysconf(_SC_PAGESIZE) returned " + size);
        }
        return size;
    }

    /** Parses the major and minor version of a kernel release such as {@code 6.18.44-fc-v669}. */
    static int[] kernelVersion(String release) {
        String[] parts = release.split("[.\\-+_]");
        int major = parts.length > 0 ? leadingInt(parts[0]) : 0;
        int minor = parts.length > 1 ? leadingInt(parts[1]) : 0;
        return new int[] {major, minor};
    }

    private static int leadingInt(String text) {
        int end = 0;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(text.substring(0, end));
    }
}
