package org.alignedmmap.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The search kernel on {@code jdk.incubator.vector}: explicit vector compares of the widest
 * species the CPU offers (64 bytes with AVX-512), four vectors per round for one byte, and the
 * two-byte filter of {@link Needle} for longer needles, one vector of candidate starts per round.
 *
 * <p>It is only ever loaded by name, by {@link SearchKernels}, after checking that the module is in
 * the boot layer and making this module read it: the library's descriptor does not name the
 * incubator module (a {@code requires static} of it made javac warn in every consumer's build).
 * Its tails go to {@link SwarSearch}.
 *
 * <h2>Why every loop reads one byte the scalar way</h2>
 * When a mapped file is truncated, touching its lost pages raises SIGBUS. The JVM survives that
 * only in compiled code it knows performs unsafe memory accesses: there its signal handler skips
 * the faulting instruction and throws {@link InternalError} instead of crashing. C2 marks a
 * compiled method that way when it compiles a scalar segment access, but (measured on JDK 25) not
 * for a Vector API load: a loop of vector loads alone over a truncated mapping killed the JVM;
 * the same loop with one scalar {@code MemorySegment.get} per iteration threw InternalError. So
 * each iteration below starts with a scalar read of a byte it needs anyway, which also makes it
 * the first access to each block. {@code SearchFaultTest} checks this in a child JVM.
 */
final class VectorSearch implements SearchKernel {
    private static final VectorSpecies<Byte> SPECIES = pickSpecies();
    private static final int LANES = SPECIES.length();
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private VectorSearch() {}

    /**
     * Returns the kernel, or null if the CPU's vectors are too narrow to beat {@link SwarSearch}.
     * Called by name from {@link SearchKernels}.
     *
     * @return the kernel or null
     */
    static SearchKernel create() {
        return LANES >= 16 ? new VectorSearch() : null;
    }

    /** Masks are read as a {@code long}: at most 64 lanes. Fewer than 16 gain nothing over SWAR. */
    private static VectorSpecies<Byte> pickSpecies() {
        VectorSpecies<Byte> preferred = ByteVector.SPECIES_PREFERRED;
        return preferred.length() > 64 ? ByteVector.SPECIES_512 : preferred;
    }

    @Override
    public String describe() {
        return "vector (" + LANES + "-byte lanes)";
    }

    @Override
    public long indexOf(MemorySegment s, long from, long to, byte b) {
        long i = from;
        long block = 4L * LANES;
        for (; i <= to - block; i += block) {
            if (s.get(JAVA_BYTE, i) == b) { // the scalar read (see class comment)
                return i;
            }
            VectorMask<Byte> m0 = ByteVector.fromMemorySegment(SPECIES, s, i, ORDER).eq(b);
            VectorMask<Byte> m1 = ByteVector.fromMemorySegment(SPECIES, s, i + LANES, ORDER).eq(b);
            VectorMask<Byte> m2 = ByteVector.fromMemorySegment(SPECIES, s, i + 2L * LANES, ORDER).eq(b);
            VectorMask<Byte> m3 = ByteVector.fromMemorySegment(SPECIES, s, i + 3L * LANES, ORDER).eq(b);
            if (m0.or(m1).or(m2).or(m3).anyTrue()) {
                if (m0.anyTrue()) {
                    return i + m0.firstTrue();
                }
                if (m1.anyTrue()) {
                    return i + LANES + m1.firstTrue();
                }
                if (m2.anyTrue()) {
                    return i + 2L * LANES + m2.firstTrue();
                }
                return i + 3L * LANES + m3.firstTrue();
            }
        }
        for (; i <= to - LANES; i += LANES) {
            if (s.get(JAVA_BYTE, i) == b) {
                return i;
            }
            VectorMask<Byte> m = ByteVector.fromMemorySegment(SPECIES, s, i, ORDER).eq(b);
            if (m.anyTrue()) {
                return i + m.firstTrue();
            }
        }
        return SwarSearch.INSTANCE.indexOf(s, i, to, b);
    }

    @Override
    public long lastIndexOf(MemorySegment s, long from, long to, byte b) {
        long end = to;
        long block = 4L * LANES;
        for (; end - block >= from; end -= block) {
            if (s.get(JAVA_BYTE, end - 1) == b) {
                return end - 1;
            }
            VectorMask<Byte> m3 = ByteVector.fromMemorySegment(SPECIES, s, end - LANES, ORDER).eq(b);
            VectorMask<Byte> m2 = ByteVector.fromMemorySegment(SPECIES, s, end - 2L * LANES, ORDER).eq(b);
            VectorMask<Byte> m1 = ByteVector.fromMemorySegment(SPECIES, s, end - 3L * LANES, ORDER).eq(b);
            VectorMask<Byte> m0 = ByteVector.fromMemorySegment(SPECIES, s, end - block, ORDER).eq(b);
            if (m0.or(m1).or(m2).or(m3).anyTrue()) {
                if (m3.anyTrue()) {
                    return end - LANES + m3.lastTrue();
                }
                if (m2.anyTrue()) {
                    return end - 2L * LANES + m2.lastTrue();
                }
                if (m1.anyTrue()) {
                    return end - 3L * LANES + m1.lastTrue();
                }
                return end - block + m0.lastTrue();
            }
        }
        return SwarSearch.INSTANCE.lastIndexOf(s, from, end, b);
    }

    @Override
    public long indexOf(MemorySegment s, long from, long to, Needle needle) {
        int n = needle.length();
        long last = to - n;
        int rare = needle.rare;
        int other = needle.other;
        byte rareByte = needle.at(rare);
        byte otherByte = needle.at(other);
        long i = from;
        // A start is a candidate when its two filter bytes match: LANES starts at a time.
        for (; i + LANES <= last + 1; i += LANES) {
            long m = ByteVector.fromMemorySegment(SPECIES, s, i + rare, ORDER).eq(rareByte)
                    .and(ByteVector.fromMemorySegment(SPECIES, s, i + other, ORDER).eq(otherByte))
                    .toLong();
            if (s.get(JAVA_BYTE, i + rare) == rareByte) { // the scalar read (see class comment) decides lane 0
                if (needle.matchesAt(s, i)) {
                    return i;
                }
            }
            m &= ~1L;
            while (m != 0) {
                long candidate = i + Long.numberOfTrailingZeros(m);
                if (needle.matchesAt(s, candidate)) {
                    return candidate;
                }
                m &= m - 1;
            }
        }
        return SwarSearch.INSTANCE.indexOf(s, i, to, needle);
    }

    @Override
    public long lastIndexOf(MemorySegment s, long from, long to, Needle needle) {
        int n = needle.length();
        long last = to - n;
        int rare = needle.rare;
        int other = needle.other;
        byte rareByte = needle.at(rare);
        byte otherByte = needle.at(other);
        long highBit = 1L << (LANES - 1);
        // Candidates i .. i + LANES - 1, from the last possible start down.
        long i = last - LANES + 1;
        for (; i >= from; i -= LANES) {
            long m = ByteVector.fromMemorySegment(SPECIES, s, i + rare, ORDER).eq(rareByte)
                    .and(ByteVector.fromMemorySegment(SPECIES, s, i + other, ORDER).eq(otherByte))
                    .toLong();
            long top = i + LANES - 1;
            if (s.get(JAVA_BYTE, top + rare) == rareByte) { // the scalar read decides the highest lane
                if (needle.matchesAt(s, top)) {
                    return top;
                }
            }
            m &= ~highBit;
            while (m != 0) {
                int lane = 63 - Long.numberOfLeadingZeros(m);
                long candidate = i + lane;
                if (needle.matchesAt(s, candidate)) {
                    return candidate;
                }
                m &= ~(1L << lane);
            }
        }
        // Starts from .. i + LANES - 1 remain; they end before i + LANES - 1 + n.
        return SwarSearch.INSTANCE.lastIndexOf(s, from, Math.min(to, i + LANES - 1 + n), needle);
    }
}
