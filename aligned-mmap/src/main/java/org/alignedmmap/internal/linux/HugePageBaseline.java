package org.alignedmmap.internal.linux;

import java.util.Map;
import java.util.Optional;
import org.alignedmmap.ErrnoException;
import org.alignedmmap.internal.PowerOfTwo;

/**
 * What was true of a range before a huge page mapping touched it, for the report to compare with
 * later: which of its huge-page blocks the page cache held pages of, and the system's fallback
 * counters. Also the one place where {@code rebuildPageCache} runs, because it must run at
 * exactly that moment: after the options are checked and the file opened, before the range is
 * mapped and faulted.
 *
 * <p>Taking it costs up to {@link #MAX_SAMPLES} {@code cachestat} calls of one page each (about a
 * millisecond at most) and a reading of {@code /proc/vmstat} shared by the mappings of one second
 * ({@link ThpCounters#recent()}); only mappings asked to use huge pages take it.
 *
 * @param sampledBlocks the huge-page blocks of the range sampled (see {@link
 *     PageCache#sampleBlocks}), or -1 where the kernel cannot tell (no {@code cachestat}: before
 *     Linux 6.5), and for anonymous memory
 * @param cachedBlocks those whose sampled page was cached (after a rebuild: was still cached)
 * @param rebuilt whether the range was written back and dropped first
 * @param counters {@link ThpCounters#recent()} at that moment
 */
public record HugePageBaseline(long sampledBlocks, long cachedBlocks, boolean rebuilt, Map<String, Long> counters) {
    /** Enough blocks to see how much of a range is cached, few enough to cost at most about a millisecond. */
    static final int MAX_SAMPLES = 1024;

    /**
     * The PMD size, read once: it is the hardware's and never changes while the JVM runs, and
     * reading sysfs (20-30 us) would otherwise be the largest cost of taking a baseline.
     */
    private static final class HugePageSize {
        static final long VALUE = SysFs.transparentHugePageSize(SysFs.TRANSPARENT_HUGEPAGE).orElse(0);
    }

    /**
     * Copies the counters.
     */
    public HugePageBaseline {
        counters = Map.copyOf(counters);
    }

    /**
     * Takes the baseline of anonymous memory: the counters only.
     *
     * @return the baseline
     */
    public static HugePageBaseline beforeAnonymousMapping() {
        return new HugePageBaseline(-1, 0, false, ThpCounters.recent());
    }

    /**
     * Rebuilds the page cache of a file range if asked, then takes the baseline.
     *
     * <p>The rebuild covers the range rounded out to whole huge pages (within the file), because a
     * huge folio is read for the whole block around a fault: a small folio cached just past the
     * mapping's end would keep the last block small. It is skipped where the file system is
     * known to cache in base pages only (dropping would cost a read from storage and gain
     * nothing; the report says why), and always for tmpfs, whose page cache is the only copy
     * of the data (the kernel ignores the advice there anyway).
     *
     * @param fd the open file
     * @param status its status
     * @param offset the mapping's file offset
     * @param length the mapping's length
     * @param rebuild whether to rebuild the page cache first
     * @return the baseline
     * @throws ErrnoException if the write-back of a rebuild fails (then nothing was dropped) or the
     *     kernel refuses the rebuild's calls for this file
     */
    public static HugePageBaseline beforeFileMapping(int fd, FileStatus status, long offset, long length,
                                                     boolean rebuild) throws ErrnoException {
        long hugePageSize = HugePageSize.VALUE;
        if (hugePageSize == 0) {
            return beforeAnonymousMapping(); // no THP size: the mapping was refused before this anyway
        }
        boolean rebuilt = false;
        if (rebuild && worthDropping(status)) {
            long start = PowerOfTwo.alignDown(offset, hugePageSize);
            long end = Math.min(PowerOfTwo.alignUp(offset + length, hugePageSize),
                    Math.max(status.size(), offset + length));
            PageCache.writeBackAndDrop(fd, start, end - start);
            rebuilt = true;
        }
        Optional<PageCache.BlockSample> sample;
        try {
            sample = PageCache.sampleBlocks(fd, offset, length, hugePageSize, MAX_SAMPLES);
        } catch (ErrnoException e) {
            // A diagnosis aid must not fail the mapping: the report then says it cannot tell.
            sample = Optional.empty();
        }
        return new HugePageBaseline(sample.map(PageCache.BlockSample::sampled).orElse(-1L),
                sample.map(PageCache.BlockSample::cached).orElse(0L), rebuilt, ThpCounters.recent());
    }

    private static boolean worthDropping(FileStatus status) {
        Optional<MountTable.Mount> mount = MountTable.ofDevice(MountTable.SELF, status.deviceMajor(),
                status.deviceMinor());
        if (mount.isPresent() && mount.get().type().equals("tmpfs")) {
            return false;
        }
        LargeFolioSupport.Verdict verdict = LargeFolioSupport.of(mount, System.getProperty("os.version", ""),
                ThpSettings.shmemEnabled(SysFs.TRANSPARENT_HUGEPAGE));
        return verdict.support() != LargeFolioSupport.Support.NO;
    }
}
