package org.alignedmmap.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The portable search kernel: SIMD within a register, eight bytes per {@code long}.
 *
 * <p>Words are read little-endian whatever the platform, so that byte {@code k} of a word is the
 * byte at {@code index + k} and the lowest set bit names the lowest address.
 */
final class SwarSearch {
    private static final ValueLayout.OfLong WORD = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long LOWS = 0x7F7F7F7F7F7F7F7FL;

    private SwarSearch() {}

    /**
     * 0x80 in each byte of {@code x} that is zero and 0 in every other: exact, because adding
     * to the low seven bits can never carry into the next byte.
     */
    static long zeroBytes(long x) {
        return ~(((x & LOWS) + LOWS) | x | LOWS);
    }

    /**
     * A cheaper test for "some byte is zero": may mark bytes above a zero byte too (the borrow
     * ripples up), but never misses one, so its lowest mark is exact.
     */
    private static long someZeroByte(long x) {
        return (x - ONES) & ~x & HIGHS;
    }

    static long indexOf(MemorySegment s, long from, long to, byte b) {
        long pattern = (b & 0xFFL) * ONES;
        long i = from;
        // Four independent words per round keep several loads in flight.
        for (; i <= to - 32; i += 32) {
            long m0 = someZeroByte(s.get(WORD, i) ^ pattern);
            long m1 = someZeroByte(s.get(WORD, i + 8) ^ pattern);
            long m2 = someZeroByte(s.get(WORD, i + 16) ^ pattern);
            long m3 = someZeroByte(s.get(WORD, i + 24) ^ pattern);
            if ((m0 | m1 | m2 | m3) != 0) {
                if (m0 != 0) {
                    return i + (Long.numberOfTrailingZeros(m0) >>> 3);
                }
                if (m1 != 0) {
                    return i + 8 + (Long.numberOfTrailingZeros(m1) >>> 3);
                }
                if (m2 != 0) {
                    return i + 16 + (Long.numberOfTrailingZeros(m2) >>> 3);
                }
                return i + 24 + (Long.numberOfTrailingZeros(m3) >>> 3);
            }
        }
        for (; i <= to - 8; i += 8) {
            long m = someZeroByte(s.get(WORD, i) ^ pattern);
            if (m != 0) {
                return i + (Long.numberOfTrailingZeros(m) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (s.get(JAVA_BYTE, i) == b) {
                return i;
            }
        }
        return -1;
    }

    static long lastIndexOf(MemorySegment s, long from, long to, byte b) {
        long pattern = (b & 0xFFL) * ONES;
        long end = to;
        for (; end - 32 >= from; end -= 32) {
            long m3 = zeroBytes(s.get(WORD, end - 8) ^ pattern);
            long m2 = zeroBytes(s.get(WORD, end - 16) ^ pattern);
            long m1 = zeroBytes(s.get(WORD, end - 24) ^ pattern);
            long m0 = zeroBytes(s.get(WORD, end - 32) ^ pattern);
            if ((m0 | m1 | m2 | m3) != 0) {
                if (m3 != 0) {
                    return end - 8 + highestByte(m3);
                }
                if (m2 != 0) {
                    return end - 16 + highestByte(m2);
                }
                if (m1 != 0) {
                    return end - 24 + highestByte(m1);
                }
                return end - 32 + highestByte(m0);
            }
        }
        for (; end - 8 >= from; end -= 8) {
            long m = zeroBytes(s.get(WORD, end - 8) ^ pattern);
            if (m != 0) {
                return end - 8 + highestByte(m);
            }
        }
        for (long i = end - 1; i >= from; i--) {
            if (s.get(JAVA_BYTE, i) == b) {
                return i;
            }
        }
        return -1;
    }

    static long indexOf(MemorySegment s, long from, long to, byte[] needle) {
        int n = needle.length;
        long last = to - n;
        long first = (needle[0] & 0xFFL) * ONES;
        long tail = (needle[n - 1] & 0xFFL) * ONES;
        ByteSearch.Needle prepared = new ByteSearch.Needle(needle);
        long i = from;
        // A start i is a candidate when its first and last bytes both match: eight at a time.
        for (; i + 8 <= last + 1; i += 8) {
            long m = zeroBytes(s.get(WORD, i) ^ first) & zeroBytes(s.get(WORD, i + n - 1) ^ tail);
            while (m != 0) {
                long candidate = i + (Long.numberOfTrailingZeros(m) >>> 3);
                if (prepared.matchesAt(s, candidate)) {
                    return candidate;
                }
                m &= m - 1;
            }
        }
        for (; i <= last; i++) {
            if (prepared.matchesAt(s, i)) {
                return i;
            }
        }
        return -1;
    }

    static long lastIndexOf(MemorySegment s, long from, long to, byte[] needle) {
        int n = needle.length;
        long last = to - n;
        long first = (needle[0] & 0xFFL) * ONES;
        long tail = (needle[n - 1] & 0xFFL) * ONES;
        ByteSearch.Needle prepared = new ByteSearch.Needle(needle);
        // Candidates i .. i + 7, scanning down from the last possible start.
        long i = last - 7;
        for (; i >= from; i -= 8) {
            long m = zeroBytes(s.get(WORD, i) ^ first) & zeroBytes(s.get(WORD, i + n - 1) ^ tail);
            while (m != 0) {
                int bit = 63 - Long.numberOfLeadingZeros(m);
                long candidate = i + (bit >>> 3);
                if (prepared.matchesAt(s, candidate)) {
                    return candidate;
                }
                m &= ~(1L << bit);
            }
        }
        for (long k = i + 7; k >= from; k--) {
            if (prepared.matchesAt(s, k)) {
                return k;
            }
        }
        return -1;
    }

    private static int highestByte(long mask) {
        return (63 - Long.numberOfLeadingZeros(mask)) >>> 3;
    }
}
