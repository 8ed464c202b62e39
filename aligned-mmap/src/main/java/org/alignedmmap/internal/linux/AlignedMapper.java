package org.alignedmmap.internal.linux;

import static org.alignedmmap.MmapConstants.MAP_ANONYMOUS;
import static org.alignedmmap.MmapConstants.MAP_FIXED;
import static org.alignedmmap.MmapConstants.MAP_FIXED_NOREPLACE;
import static org.alignedmmap.MmapConstants.MAP_NORESERVE;
import static org.alignedmmap.MmapConstants.MAP_PRIVATE;
import static org.alignedmmap.MmapConstants.MREMAP_FIXED;
import static org.alignedmmap.MmapConstants.MREMAP_MAYMOVE;
import static org.alignedmmap.MmapConstants.PROT_NONE;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.UnaryOperator;
import org.alignedmmap.ErrnoException;
import org.alignedmmap.internal.PowerOfTwo;

/**
 * Places mappings at addresses that are multiples of an alignment, with reserve-then-trim:
 *
 * <ol>
 *   <li>reserve {@code span + align - page} bytes of address space that can never be touched,
 *       costs no memory and no overcommit charge ({@code PROT_NONE}, {@code MAP_NORESERVE});
 *   <li>round the reservation's start up to {@code align}: the span fits behind it;
 *   <li>map the real thing there with {@code MAP_FIXED}, which atomically replaces that part of
 *       the reservation (safe, because the range is ours: no other thread can have placed
 *       anything in it);
 *   <li>unmap the reservation's head and tail.
 * </ol>
 *
 * Afterwards exactly the page-rounded mapping remains. Alignments up to the granule (the base
 * page, or the huge page of a hugetlb mapping) are what the kernel gives anyway and cost one
 * plain {@code mmap}. Every failure unmaps what this class mapped before the exception leaves.
 *
 * <h2>The fast path: reusing a recently freed aligned address</h2>
 * Reserve-then-trim costs four system calls. Programs that map and unmap in a loop free an
 * aligned address just before they need one again, so each unmap remembers its address, and the
 * next map at that alignment first tries it with {@code MAP_FIXED_NOREPLACE}: the kernel either
 * places the mapping exactly there (one system call) or refuses with EEXIST without touching
 * anything that lives there, and reserve-then-trim follows. A remembered address is only a
 * guess, never trusted: the flag makes a wrong guess harmless.
 */
final class AlignedMapper {
    /** Reservations: no access, no backing, no commit charge; private so nothing is shared. */
    private static final int RESERVE_FLAGS = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;

    /** Slot k holds an address freed recently whose lowest set bit is bit k, or 0. */
    private static final AtomicLongArray FREED = new AtomicLongArray(64);

    /** How many larger alignments a map looks at when its own slot is empty. */
    private static final int HINT_SEARCH = 8;

    private AlignedMapper() {}

    /**
     * Maps {@code length} bytes at a multiple of {@code align}.
     *
     * @param length bytes to map, at least 1
     * @param align a power of two; at most the granule means no constraint beyond the kernel's
     * @param prot protection bits
     * @param flags mapping flags, without {@code MAP_FIXED}
     * @param fd the file descriptor, or -1 for anonymous memory
     * @param offset the file offset, a multiple of the page size
     * @param granule the unit the kernel rounds this mapping to: the page size, or the huge page
     *     size for hugetlb; {@code align} must be at least this for hugetlb mappings
     * @param explain turns a failure of the mapping itself (not of the reservation around it)
     *     into the exception to throw, for example to explain an empty hugetlb pool
     * @return the address of the mapping, a multiple of {@code align}
     * @throws ErrnoException if reserving or mapping fails; nothing is left mapped then
     * @throws IllegalArgumentException if the address space needed does not fit in a long
     */
    static long map(long length, long align, int prot, int flags, int fd, long offset, long granule,
                    UnaryOperator<ErrnoException> explain) throws ErrnoException {
        span(length, granule); // refuses a length that cannot be rounded up to whole granules
        long page = LinuxSystem.basePageSize();
        if (align <= granule) {
            try {
                return LibC.mmap(0, length, prot, flags, fd, offset);
            } catch (ErrnoException e) {
                throw explain.apply(e);
            }
        }
        long hinted = tryFreedAddress(length, align, prot, flags, fd, offset, granule);
        if (hinted != 0) {
            return hinted;
        }
        long span = PowerOfTwo.alignUp(length, granule);
        Reservation reservation = Reservation.reserve(span, align, page);
        try {
            LibC.mmap(reservation.aligned, length, prot, flags | MAP_FIXED, fd, offset);
        } catch (ErrnoException e) {
            reservation.release();
            throw explain.apply(e);
        }
        reservation.trimAround(span);
        return reservation.aligned;
    }

    /**
     * Unmaps a mapping made by {@link #map}.
     *
     * @param address its address
     * @param length the length it was mapped with
     * @param granule the granule it was mapped with
     * @throws ErrnoException if the kernel refuses, which means the arguments were wrong
     */
    static void unmap(long address, long length, long granule) throws ErrnoException {
        LibC.munmap(address, PowerOfTwo.alignUp(length, granule));
        if (address != 0) {
            FREED.set(Long.numberOfTrailingZeros(address), address);
        }
    }

    /**
     * Unmaps a mapping this library made and owns, as {@link #unmap}. The kernel refuses only
     * arguments that are wrong, so a refusal here is a bug, not a condition to handle.
     *
     * @throws IllegalStateException if the kernel refuses
     */
    static void unmapOwned(long address, long length, long granule) {
        try {
            unmap(address, length, granule);
        } catch (ErrnoException e) {
            throw new IllegalStateException("unmapping " + length + " bytes at " + LibC.hex(address) + " failed", e);
        }
    }

    /**
     * Tries to map at a recently freed address aligned to at least {@code align}.
     *
     * @return the address, or 0 when no remembered address was free
     */
    private static long tryFreedAddress(long length, long align, int prot, int flags, int fd, long offset,
                                        long granule) {
        int first = Long.numberOfTrailingZeros(align);
        for (int k = first; k < Math.min(64, first + HINT_SEARCH); k++) {
            long hint = FREED.getAndSet(k, 0);
            if (hint == 0) {
                continue;
            }
            try {
                long address = LibC.mmap(hint, length, prot, flags | MAP_FIXED_NOREPLACE, fd, offset);
                if (address == hint) {
                    return address;
                }
                // A kernel older than 4.17 takes the flag for a mere hint and may map elsewhere.
                LibC.munmap(address, PowerOfTwo.alignUp(length, granule));
            } catch (ErrnoException occupied) {
                // EEXIST: something lives there now. Any other refusal shows again below.
            }
            return 0;
        }
        return 0;
    }

    /**
     * Changes the length of a mapping and keeps its start a multiple of {@code align}: in place
     * where the kernel can, else moved with {@code mremap(MREMAP_MAYMOVE | MREMAP_FIXED)} into a
     * fresh aligned reservation. The contents up to the shorter length survive.
     *
     * @return the mapping's address afterwards
     * @throws ErrnoException if the kernel refuses; the old mapping is then untouched and nothing
     *     else is left mapped
     * @throws IllegalArgumentException if the address space needed does not fit in a long
     */
    static long remap(long address, long oldLength, long newLength, long align, long granule)
            throws ErrnoException {
        long page = LinuxSystem.basePageSize();
        long oldSpan = PowerOfTwo.alignUp(oldLength, granule);
        long newSpan = span(newLength, granule);
        if (newSpan == oldSpan) {
            return address;
        }
        if (align <= granule) {
            return LibC.mremap(address, oldSpan, newSpan, MREMAP_MAYMOVE, 0);
        }
        if (newSpan < oldSpan) {
            // Shrinking never moves the start.
            return LibC.mremap(address, oldSpan, newSpan, 0, 0);
        }
        try {
            return LibC.mremap(address, oldSpan, newSpan, 0, 0);
        } catch (ErrnoException growInPlaceImpossible) {
            // The pages behind the mapping are taken: move into a new aligned home.
        }
        Reservation reservation = Reservation.reserve(newSpan, align, page);
        try {
            LibC.mremap(address, oldSpan, newSpan, MREMAP_MAYMOVE | MREMAP_FIXED, reservation.aligned);
        } catch (ErrnoException e) {
            reservation.release();
            throw e;
        }
        reservation.trimAround(newSpan);
        return reservation.aligned;
    }

    /** The length rounded up to whole granules; a length that cannot be is an argument error. */
    private static long span(long length, long granule) {
        try {
            return PowerOfTwo.alignUp(length, granule);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("length " + length
                    + " needs more address space than a 64-bit address can hold");
        }
    }

    /** Address space held with PROT_NONE, and the aligned address inside it. */
    static final class Reservation {
        final long start;
        final long length;
        final long aligned;

        private Reservation(long start, long length, long aligned) {
            this.start = start;
            this.length = length;
            this.aligned = aligned;
        }

        static Reservation reserve(long span, long align, long page) throws ErrnoException {
            long length;
            try {
                // The start is page-aligned, so the next multiple of align is at most align - page away.
                length = Math.addExact(span, align - page);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("length " + span + " at align " + align
                        + " needs more address space than a 64-bit address can hold");
            }
            long start;
            try {
                start = LibC.mmap(0, length, PROT_NONE, RESERVE_FLAGS, -1, 0);
            } catch (ErrnoException e) {
                throw Errno.exception(e.errno(), "mmap",
                        "addr=0x0, length=%d, prot=PROT_NONE, flags=%s, fd=-1, offset=0"
                                .formatted(length, org.alignedmmap.MmapConstants.describeFlags(RESERVE_FLAGS)),
                        "reserving address space for " + span + " bytes at align " + align);
            }
            return new Reservation(start, length, PowerOfTwo.alignUp(start, align));
        }

        /** Gives back the parts of the reservation outside {@code [aligned, aligned + span)}. */
        void trimAround(long span) throws ErrnoException {
            long head = aligned - start;
            long tailStart = aligned + span;
            long tail = start + length - tailStart;
            try {
                if (head > 0) {
                    LibC.munmap(start, head);
                }
                if (tail > 0) {
                    LibC.munmap(tailStart, tail);
                }
            } catch (ErrnoException e) {
                release();
                throw e;
            }
        }

        /** Unmaps the whole reservation, including anything mapped into it. */
        void release() {
            try {
                LibC.munmap(start, length);
            } catch (ErrnoException e) {
                // munmap of a range we mapped fails only for bad arguments: a bug, not a condition.
                throw new IllegalStateException("releasing a reservation failed", e);
            }
        }
    }
}
