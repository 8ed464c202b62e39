package org.alignedmmap.internal.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.alignedmmap.ErrnoException;

/** Counts resident pages with {@code mincore(2)}. */
final class Mincore {
    /**
     * Pages asked about per call: a 64 KiB vector covers 256 MiB of 4 KiB pages, and keeps the
     * vector small for mappings of terabytes.
     */
    private static final long PAGES_PER_CALL = 64 * 1024;

    private Mincore() {}

    /**
     * Counts the resident pages of a range.
     *
     * @param address the start, a multiple of the page size
     * @param length the length, a multiple of the page size
     * @param page the page size
     * @return how many pages {@code mincore} reports resident (bit 0 of its vector)
     * @throws ErrnoException ENOMEM if part of the range is not mapped
     */
    static long residentPages(long address, long length, long page) throws ErrnoException {
        long pages = length / page;
        long resident = 0;
        // Confined: the vector is ours alone and freed at once, whatever happens.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment vector = arena.allocate(Math.min(pages, PAGES_PER_CALL));
            for (long done = 0; done < pages; ) {
                long chunk = Math.min(pages - done, PAGES_PER_CALL);
                LibC.mincore(address + done * page, chunk * page, vector);
                for (long i = 0; i < chunk; i++) {
                    resident += vector.get(JAVA_BYTE, i) & 1;
                }
                done += chunk;
            }
        }
        return resident;
    }
}
