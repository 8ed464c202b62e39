package org.alignedmmap.internal.linux;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import org.alignedmmap.ErrnoException;
import org.alignedmmap.internal.PowerOfTwo;

/**
 * A file's page cache, seen and reshaped through a descriptor: how many pages of a range it holds
 * ({@code cachestat}), and the rebuild that lets a huge page mapping read a range back into huge
 * folios (write back, then drop).
 *
 * <h2>Why a rebuild is safe</h2>
 * {@code posix_fadvise(POSIX_FADV_DONTNEED)} drops only pages that are clean, not under
 * write-back, and mapped by no one (the kernel's {@code mapping_evict_folio}); dirty pages,
 * including pages written through another process's shared mapping and never flushed, stay, and
 * so do pages some mapping maps. It starts write-back of dirty pages itself but does not wait for
 * it, so a range just written would keep most of its pages (measured here: half of a 64 MiB file
 * written in 8 KiB pieces stayed cached). {@code sync_file_range} with {@code WAIT_BEFORE | WRITE
 * | WAIT_AFTER} first makes them clean, and reports a failed write-back (EIO) before anything is
 * dropped. Nothing the user wrote can be lost: what is dropped is on storage.
 */
public final class PageCache {
    /** {@code struct cachestat_range}: two 64-bit words. */
    private static final long RANGE_SIZE = 16;
    /** {@code struct cachestat}: five 64-bit counters. */
    private static final long STAT_SIZE = 40;

    /**
     * What {@code cachestat} counts in a range, in base pages.
     *
     * @param cached pages in the page cache
     * @param dirty cached pages not yet written back
     * @param writeback cached pages being written back
     * @param evicted pages of the range evicted from the cache that the kernel still remembers
     * @param recentlyEvicted evicted pages that would still be cached with a little more memory
     */
    public record Stat(long cached, long dirty, long writeback, long evicted, long recentlyEvicted) {}

    private PageCache() {}

    /**
     * Counts the cached pages of a range without mapping it.
     *
     * @param fd an open descriptor of the file
     * @param offset the range's start
     * @param length its length; 0 = to the end of the file
     * @return the counts; empty where the kernel cannot tell (before Linux 6.5: ENOSYS; hugetlbfs:
     *     EOPNOTSUPP)
     * @throws ErrnoException for other failures (EBADF)
     */
    public static Optional<Stat> stat(int fd, long offset, long length) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment range = arena.allocate(RANGE_SIZE, 8);
            range.set(JAVA_LONG, 0, offset);
            range.set(JAVA_LONG, 8, length);
            MemorySegment result = arena.allocate(STAT_SIZE, 8);
            if (!cachestat(fd, range, result)) {
                return Optional.empty();
            }
            return Optional.of(new Stat(result.get(JAVA_LONG, 0), result.get(JAVA_LONG, 8), result.get(JAVA_LONG, 16),
                    result.get(JAVA_LONG, 24), result.get(JAVA_LONG, 32)));
        }
    }

    /**
     * How many huge-page blocks of a range hold cached pages, by sampling: the first page of each
     * block, or of evenly spaced blocks when there are more than {@code maxSamples}. A sample
     * costs one {@code cachestat} of one page (about a microsecond), where counting a whole range
     * cached in base pages walks every page (measured here: 8 to 30 ms for 1 GiB).
     *
     * @param sampled the blocks looked at
     * @param cached those whose first page was cached
     */
    public record BlockSample(long sampled, long cached) {}

    /**
     * Samples the blocks of a range; see {@link BlockSample}.
     *
     * @param fd an open descriptor of the file
     * @param offset the range's start
     * @param length its length
     * @param blockSize the huge page size
     * @param maxSamples the most blocks to look at, at least 1
     * @return the sample; empty where the kernel cannot tell (no {@code cachestat})
     * @throws ErrnoException for failures other than the kernel not having the call
     */
    public static Optional<BlockSample> sampleBlocks(int fd, long offset, long length, long blockSize,
                                                     int maxSamples) throws ErrnoException {
        long first = PowerOfTwo.alignDown(offset, blockSize);
        long blocks = (PowerOfTwo.alignUp(offset + length, blockSize) - first) / blockSize;
        if (blocks == 0) {
            return Optional.of(new BlockSample(0, 0));
        }
        long stride = Math.max(1, (blocks + maxSamples - 1) / maxSamples);
        long page = LinuxSystem.basePageSize();
        long sampled = 0;
        long cached = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment range = arena.allocate(RANGE_SIZE, 8);
            MemorySegment result = arena.allocate(STAT_SIZE, 8);
            for (long block = 0; block < blocks; block += stride) {
                // The block's first page inside the range (the range may start inside a block).
                long at = Math.max(offset, first + block * blockSize);
                range.set(JAVA_LONG, 0, at);
                range.set(JAVA_LONG, 8, page);
                if (!cachestat(fd, range, result)) {
                    return Optional.empty();
                }
                sampled++;
                cached += result.get(JAVA_LONG, 0) > 0 ? 1 : 0;
            }
        }
        return Optional.of(new BlockSample(sampled, cached));
    }

    /** {@code cachestat}, or false where the kernel cannot tell (ENOSYS, EOPNOTSUPP). */
    private static boolean cachestat(int fd, MemorySegment range, MemorySegment result) throws ErrnoException {
        try {
            LibC.cachestat(fd, range, result);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOSYS || e.errno() == Errno.EOPNOTSUPP) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Writes back a range's dirty pages and drops its clean, unmapped ones, so that the next read
     * of the range (a fault of a huge page mapping, its population) brings it back in folios of
     * the reader's choosing. Pages that some mapping maps, or that cannot be written back, stay.
     *
     * @param fd an open descriptor of the file (read-only is enough)
     * @param offset the range's start, a multiple of the page size
     * @param length its length
     * @throws ErrnoException if write-back fails (EIO, ENOSPC: then nothing is dropped), or the
     *     descriptor is not a file the calls accept (ESPIPE for a pipe)
     */
    public static void writeBackAndDrop(int fd, long offset, long length) throws ErrnoException {
        if (length == 0) {
            return;
        }
        LibC.syncFileRange(fd, offset, length, LibC.SYNC_FILE_RANGE_WAIT_BEFORE | LibC.SYNC_FILE_RANGE_WRITE
                | LibC.SYNC_FILE_RANGE_WAIT_AFTER);
        LibC.posixFadvise(fd, offset, length, LibC.POSIX_FADV_DONTNEED);
    }
}
