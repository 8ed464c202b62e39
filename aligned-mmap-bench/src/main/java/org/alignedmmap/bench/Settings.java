package org.alignedmmap.bench;

import java.nio.file.Path;

/**
 * How big and how often: the full run uses the sizes the goals were set for (1 GiB files, best
 * of 3); {@code --quick} shrinks everything so the whole comparison finishes in under a minute.
 *
 * @param quick whether this is the quick run
 * @param outDir where the report goes
 * @param dataDir where the test files live
 * @param textSize size of the text file searched and read
 * @param writeSize size of the file written
 * @param moveSize bytes moved
 * @param randomCount random reads per run
 * @param mapIterations map/close cycles per run
 * @param runs timed runs per measurement (the best counts)
 * @param largeAllocation the big allocation's size and alignment (1 GiB; less in quick runs)
 * @param touchSize memory first-touched in the page-size and huge page comparisons
 * @param randomSpan memory the huge-page random reads spread over
 * @param getCalls get(long) calls per thread in the one- and two-thread get loops
 */
record Settings(boolean quick, Path outDir, Path dataDir, long textSize, long writeSize, long moveSize,
                int randomCount, int mapIterations, int runs, long largeAllocation, long touchSize, long randomSpan,
                long getCalls) {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    static Settings full(Path outDir, Path dataDir) {
        return new Settings(false, outDir, dataDir, GIB, 256 * MIB, 512 * MIB, 2_000_000, 2_000, 5, GIB, GIB, 4 * GIB,
                20_000_000);
    }

    static Settings quick(Path outDir, Path dataDir) {
        return new Settings(true, outDir, dataDir, 32 * MIB, 16 * MIB, 16 * MIB, 200_000, 200, 2, 64 * MIB, 64 * MIB,
                256 * MIB, 2_000_000);
    }
}
