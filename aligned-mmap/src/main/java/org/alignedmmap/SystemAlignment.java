package org.alignedmmap;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.alignedmmap.internal.OperatingSystem;

/**
 * What the running system says about alignment: the sizes that memory, mappings and I/O are
 * measured in here. Every value is read from the system, never assumed: CPython issue 112448's
 * {@code getBufferAlignmentFromSomewhere()}.
 */
public final class SystemAlignment {
    private SystemAlignment() {}

    /**
     * Returns the size of a base page, {@code sysconf(_SC_PAGESIZE)}: CPython's {@code
     * mmap.PAGESIZE}. Mappings start on page boundaries, so any alignment up to this is free.
     *
     * @return the page size in bytes (4096 on most x86-64 systems, 16 KiB or 64 KiB on some ARM)
     * @throws UnsupportedOperationException on a platform the library does not support
     */
    public static long pageSize() {
        return OperatingSystem.current().pageSize();
    }

    /**
     * Returns the granularity that file offsets of a mapping must be a multiple of: CPython's
     * {@code mmap.ALLOCATIONGRANULARITY}. On Linux this is the page size.
     *
     * @return the allocation granularity in bytes
     * @throws UnsupportedOperationException on a platform the library does not support
     */
    public static long allocationGranularity() {
        return OperatingSystem.current().allocationGranularity();
    }

    /**
     * Returns the huge page sizes the kernel supports for hugetlb mappings, from the directories
     * of {@code /sys/kernel/mm/hugepages}. A size being listed does not mean pages of it can be
     * had: see {@link #hugePagePools()}.
     *
     * @return the sizes in bytes, ascending (for example 2 MiB and 1 GiB on x86-64); empty if the
     *     kernel has no hugetlb support
     * @throws java.io.UncheckedIOException if the directory exists but cannot be listed
     */
    public static List<Long> hugePageSizes() {
        return OperatingSystem.current().hugePageSizes();
    }

    /**
     * Returns the hugetlb pools with their page counts, from {@code
     * /sys/kernel/mm/hugepages/hugepages-<size>kB/{nr,free,resv}_hugepages}. The counts are a
     * snapshot: other processes take and return pages at any time.
     *
     * @return one pool per supported size, ascending by size; empty if the kernel has no hugetlb
     *     support
     * @throws java.io.UncheckedIOException if a pool's counters cannot be read
     */
    public static List<HugePagePool> hugePagePools() {
        return OperatingSystem.current().hugePagePools();
    }

    /**
     * Returns the system-wide transparent huge page mode for anonymous memory, the bracketed word
     * of {@code /sys/kernel/mm/transparent_hugepage/enabled}.
     *
     * @return the mode, {@link TransparentHugePages#UNSUPPORTED} if the kernel has no THP
     * @throws IllegalStateException if the file names a mode this library does not know
     */
    public static TransparentHugePages transparentHugePages() {
        return OperatingSystem.current().transparentHugePages();
    }

    /**
     * Returns the size of a transparent huge page, {@code
     * /sys/kernel/mm/transparent_hugepage/hpage_pmd_size}: the alignment (and size) a range needs
     * to be backed by one.
     *
     * @return the size in bytes (2 MiB on x86-64 with 4 KiB pages), or empty without THP support
     */
    public static OptionalLong transparentHugePageSize() {
        return OperatingSystem.current().transparentHugePageSize();
    }

    /**
     * Returns the line size of the level-1 data cache: the alignment that keeps data used by
     * different threads from sharing a line (false sharing). From {@code
     * sysconf(_SC_LEVEL1_DCACHE_LINESIZE)}, or where the C library cannot tell (musl), from {@code
     * /sys/devices/system/cpu/cpu0/cache/index<n>/coherency_line_size} of the level-1 data cache.
     *
     * @return the line size in bytes
     * @throws IllegalStateException if neither source tells (some containers hide the CPU's
     *     caches); callers that can live with a guess should catch it
     */
    public static long cacheLineSize() {
        return OperatingSystem.current().cacheLineSize().orElseThrow(() -> new IllegalStateException(
                "the cache line size is unknown: sysconf(_SC_LEVEL1_DCACHE_LINESIZE) gives none and "
                        + "/sys/devices/system/cpu/cpu0/cache describes no level-1 data cache"));
    }

    /**
     * Returns the alignment {@code O_DIRECT} I/O on a file demands of buffer addresses, file
     * offsets and lengths. Ask about the file the I/O will go to: the answer may differ between
     * files, even on one file system.
     *
     * <ol>
     *   <li>{@code statx(2)} with {@code STATX_DIOALIGN} (Linux 6.1+), when the file system answers
     *       it for this file ({@link DirectIoAlignment.Source#STATX_DIOALIGN});
     *   <li>else the logical block size of the block device under the file system ({@link
     *       DirectIoAlignment.Source#LOGICAL_BLOCK_SIZE}), for example for a directory, or on an
     *       older kernel;
     *   <li>else, when no block device is behind it (tmpfs, NFS, overlayfs), the file store's
     *       block size ({@link DirectIoAlignment.Source#FILE_STORE_BLOCK_SIZE}).
     * </ol>
     *
     * For {@link java.nio.channels.FileChannel} with {@code ExtendedOpenOption.DIRECT}, use
     * {@link DirectIoAlignment#fileChannel()}: the JDK checks against its own, often larger,
     * block size.
     *
     * @param path the file (symbolic links are followed)
     * @return the alignments and their source
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws java.nio.file.AccessDeniedException if it cannot be inspected
     * @throws FileSystemException if the file system reports that this file does not support
     *     {@code O_DIRECT} at all ({@code STATX_DIOALIGN} answered with 0)
     * @throws IOException if the file system cannot be inspected otherwise
     */
    public static DirectIoAlignment directIo(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        return OperatingSystem.current().directIoAlignment(path);
    }
}
