package org.alignedmmap.internal;

import java.lang.ref.Cleaner;
import org.alignedmmap.ErrnoException;

/**
 * The native resources behind one mapping: its address range and the file descriptor it keeps
 * (or -1). Released exactly once, whoever gets there first: an explicit close, the closing of
 * the arena the mapping is bound to, or the garbage collector once nothing can reach the memory.
 *
 * <p>A resize moves the mapping and starts a new <em>generation</em>: releases requested on
 * behalf of an older generation (its arena's cleanup, its cleaner) are then ignored, because
 * that generation's views are dead and the memory is no longer where they pointed.
 *
 * <p>Holds no reference to the public objects or arenas, so that registering it with a {@link
 * Cleaner} does not keep them alive.
 */
public final class NativeMapping {
    private static final Cleaner CLEANER = Cleaner.create();

    private final long granule;
    private long address;
    private long length;
    private int fd;
    private int generation;
    private boolean released;

    /**
     * Takes ownership of a mapping and, optionally, of a descriptor.
     *
     * @param address the mapping's address
     * @param length the length it was mapped with
     * @param granule the page size it was mapped with
     * @param fd a descriptor to close on release, or -1
     */
    public NativeMapping(long address, long length, long granule, int fd) {
        this.address = address;
        this.length = length;
        this.granule = granule;
        this.fd = fd;
    }

    /** Returns the current address. */
    public synchronized long address() {
        return address;
    }

    /** Returns the current length. */
    public synchronized long length() {
        return length;
    }

    /** Returns the granule (page or huge page size) the mapping was made with. */
    public long granule() {
        return granule;
    }

    /** Returns the descriptor this mapping keeps, or -1. */
    public synchronized int fd() {
        return fd;
    }

    /** Returns the current generation, to tag releases requested on its behalf. */
    public synchronized int generation() {
        return generation;
    }

    /**
     * Records that the mapping now lives elsewhere or has another length, and starts a new
     * generation.
     *
     * @return the new generation
     */
    public synchronized int moved(long newAddress, long newLength) {
        address = newAddress;
        length = newLength;
        return ++generation;
    }

    /**
     * Releases the mapping and the descriptor if {@code forGeneration} is still current and
     * nothing released them yet.
     *
     * @param forGeneration the generation whose owner asks
     */
    public synchronized void release(int forGeneration) {
        if (released || forGeneration != generation) {
            return;
        }
        released = true;
        closeFd();
        AlignedMapper.unmapOwned(address, length, granule);
    }

    /** Closes the descriptor now (if any) and forgets it; the memory stays. */
    public synchronized void closeFd() {
        if (fd >= 0) {
            int closing = fd;
            fd = -1;
            try {
                LibC.close(closing);
            } catch (ErrnoException ignored) {
                // Nothing useful to do: the descriptor is gone either way, and writes through a
                // mapping are not reported by close(2).
            }
        }
    }

    /**
     * Arranges for this generation to be released once {@code holder} is unreachable.
     *
     * @param holder the object whose reachability keeps the memory in use (the arena's scope)
     */
    public void releaseWhenUnreachable(Object holder) {
        int forGeneration = generation();
        CLEANER.register(holder, () -> release(forGeneration));
    }
}
