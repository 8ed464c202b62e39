package org.alignedmmap;

import java.util.Arrays;
import org.alignedmmap.internal.ArenaChunks;
import org.alignedmmap.internal.MappedRegion;

/**
 * The mappings one {@link AlignedArena} holds (its chunks and the allocations that got a mapping
 * of their own), the address space they add up to, and the cap on it. Not thread-safe: the arena
 * guards it with its lock.
 */
final class ArenaMappings {
    /** Each mapping; null until the first (most arenas that live for one native call never map
     * anything). */
    private MappedRegion[] regions;
    private int count;
    private long reserved;
    private final long maxReserved;

    ArenaMappings(long maxReserved) {
        this.maxReserved = maxReserved;
    }

    /** Returns the bytes of address space mapped now: every range rounded up to whole pages. */
    long reserved() {
        return reserved;
    }

    /** Returns how many bytes more the cap allows. */
    long room() {
        return maxReserved - reserved;
    }

    long maxReserved() {
        return maxReserved;
    }

    /** Returns how many mappings are held. */
    int count() {
        return count;
    }

    /**
     * Makes room to record one more mapping, before it is made: recording can then no longer
     * fail (an array growth that runs out of heap) after the kernel has given the memory.
     */
    void ensureSlot() {
        if (regions == null) {
            regions = new MappedRegion[8];
        } else if (count == regions.length) {
            regions = Arrays.copyOf(regions, regions.length * 2);
        }
    }

    /** Records a mapping {@link ArenaChunks#map} made; {@link #ensureSlot()} must come first. */
    void add(MappedRegion region) {
        regions[count++] = region;
        reserved += region.span();
    }

    /**
     * Unmaps every mapping and forgets them. Goes on past a failure, which only a bug can cause,
     * so that one bad range does not keep the others mapped.
     *
     * @throws IllegalStateException if the kernel refused to unmap a range, after all the others
     *     are unmapped
     */
    void unmapAll() {
        IllegalStateException failure = null;
        for (int i = 0; i < count; i++) {
            try {
                regions[i].release();
            } catch (IllegalStateException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        count = 0;
        reserved = 0;
        regions = null;
        if (failure != null) {
            throw failure;
        }
    }

    static long pageRounded(long length) {
        long page = ArenaChunks.pageSize();
        return (length + page - 1) & -page;
    }
}
