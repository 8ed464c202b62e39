package org.alignedmmap.cli;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Touches memory piece by piece so that a {@link ProgressLine} can follow: gigabytes of first
 * touches take seconds.
 */
final class MemoryTouch {
    /** Small enough that a piece takes well under the progress line's redraw interval even at
     *  first-touch speed (about 0.4 GB/s with base pages), large enough that the loop costs nothing. */
    private static final long PIECE = 16L << 20;

    private MemoryTouch() {}

    /**
     * Writes {@code value} into every byte.
     *
     * @param segment the memory
     * @param value the byte to write
     * @param progress where to report how far it got
     */
    static void write(MemorySegment segment, byte value, ProgressLine progress) {
        long size = segment.byteSize();
        for (long at = 0; at < size; at += PIECE) {
            progress.update(at);
            segment.asSlice(at, Math.min(PIECE, size - at)).fill(value);
        }
        progress.finish();
    }

    /**
     * Reads one byte of every page, so that every page is faulted in (file pages read from the
     * page cache, or from storage).
     *
     * @param segment the memory
     * @param page the page size
     * @param progress where to report how far it got
     * @return a sum of the bytes read, so that the reads cannot be optimized away
     */
    static long read(MemorySegment segment, long page, ProgressLine progress) {
        long size = segment.byteSize();
        long sum = 0;
        for (long at = 0; at < size; at += page) {
            if (at % PIECE == 0) {
                progress.update(at);
            }
            sum += segment.get(ValueLayout.JAVA_BYTE, at);
        }
        progress.finish();
        return sum;
    }
}
