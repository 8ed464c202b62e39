package org.alignedmmap.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The portable search kernel: plain Java that C2 compiles to SIMD code by itself, on every JVM.
 *
 * <h2>How</h2>
 * SIMD within a register: a {@code long} holds eight bytes, and a few integer operations mark the
 * bytes of a word that equal the byte searched for ({@link #zeroBytes}, {@link #someZeroByte} on
 * the word XOR the byte repeated eight times). Words are read little-endian on every platform, so
 * that byte {@code k} of a word is the byte at {@code index + k} and the lowest mark names the
 * lowest address.
 *
 * <p>Most of the haystack is read in blocks of {@link #BLOCK} bytes whose loop has no branch: it
 * ORs the marks of all the block's words together and tests the result once. A loop of that shape
 * (a counted {@code int} loop of segment loads reduced with OR) is one that C2's auto-vectorizer
 * (SuperWord) turns into SIMD instructions of the widest kind the CPU has; a loop that tests each
 * word and leaves early is not. Measured on JDK 25 (AVX-512), over 16 KiB in the cache: the block
 * loop 3-5x as fast as with {@code -XX:-UseSuperWord}, and 4-6x the four-word unrolled loop with a
 * test per round that this kernel had before; over a 1 GiB file, about the speed of a plain sum
 * of its longs (the read bandwidth a scalar loop gets). Only a block that holds a match is read again, word
 * by word, to find where.
 *
 * <p>The first {@link #HEAD} bytes are read word by word with a test per word: a search that ends
 * soon, such as {@code readLine}'s search for the next newline, reads no more than it needs.
 *
 * <p>A needle of two or more bytes is searched for by filtering candidate starts on two of its
 * bytes (the rarest, see {@link Needle}): both marks ANDed, eight starts per word, in the same
 * branch-free blocks; each surviving start is verified in full.
 *
 * <h2>Faults</h2>
 * Every access is a {@code MemorySegment} access in Java code, scalar in the source: C2 marks the
 * compiled method as one that performs unsafe accesses, so SIGBUS on a truncated mapped file
 * becomes an {@link InternalError} even inside the vectorized loop ({@code SearchFaultTest}).
 */
final class SwarSearch implements SearchKernel {
    /** The one instance; the kernel holds no state. */
    static final SwarSearch INSTANCE = new SwarSearch();

    private static final ValueLayout.OfLong WORD = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long LOWS = 0x7F7F7F7F7F7F7F7FL;
    /**
     * Bytes per branch-free block: long enough for the vectorized loop to run at full speed and
     * for the hardware prefetcher to see a stream (over a 1 GiB page-cached file, 4 KiB blocks
     * scanned 1.2x as fast as 1 KiB forwards and 1.45x backwards, where every block is followed
     * by a jump back), short enough that finding the match inside a block (at most 512 words)
     * costs little next to reading it.
     */
    static final int BLOCK = 4096;
    /**
     * Bytes a backward search of one byte reads forwards, block after block, before it moves back
     * to the window below: blocks read in descending order, each forwards, ran at half the speed
     * of a forward search over a page-cached file (the hardware prefetchers follow ascending
     * streams), so only the windows go backwards. The price: a match near a window's top is
     * found after reading the whole window.
     */
    static final int WINDOW = 16 * BLOCK; // at most 31 blocks: the needle search keeps one bit per block
    /** Bytes searched word by word before the blocks start: a typical line, and then some. */
    static final int HEAD = 256;

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
     * ripples up), but never misses one, so its lowest mark is exact and it is zero only when no
     * byte is.
     */
    static long someZeroByte(long x) {
        return (x - ONES) & ~x & HIGHS;
    }

    private static long repeated(byte b) {
        return (b & 0xFFL) * ONES;
    }

    @Override
    public String describe() {
        return "swar (8-byte words, " + BLOCK + "-byte blocks)";
    }

    @Override
    public long indexOf(MemorySegment s, long from, long to, byte b) {
        long pattern = repeated(b);
        long i = from;
        long headEnd = Math.min(to, from + HEAD);
        for (; i <= headEnd - 8; i += 8) {
            long m = someZeroByte(s.get(WORD, i) ^ pattern);
            if (m != 0) {
                return i + (Long.numberOfTrailingZeros(m) >>> 3);
            }
        }
        for (; i <= to - BLOCK; i += BLOCK) {
            if (blockHolds(s, i, pattern)) {
                return firstInWords(s, i, i + BLOCK, pattern);
            }
        }
        long found = firstInWords(s, i, to - ((to - i) & 7), pattern);
        if (found >= 0) {
            return found;
        }
        for (i = to - ((to - i) & 7); i < to; i++) {
            if (s.get(JAVA_BYTE, i) == b) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public long lastIndexOf(MemorySegment s, long from, long to, byte b) {
        long pattern = repeated(b);
        long end = to;
        long headStart = Math.max(from, to - HEAD);
        for (; end - 8 >= headStart; end -= 8) {
            long m = zeroBytes(s.get(WORD, end - 8) ^ pattern);
            if (m != 0) {
                return end - 8 + highestByte(m);
            }
        }
        // Backwards by windows, each read forwards: see WINDOW.
        while (end - BLOCK >= from) {
            int blocks = (int) Math.min(WINDOW / BLOCK, (end - from) / BLOCK);
            long start = end - (long) blocks * BLOCK;
            long holding = -1;
            for (int k = 0; k < blocks; k++) {
                long at = start + (long) k * BLOCK;
                if (blockHolds(s, at, pattern)) {
                    holding = at;
                }
            }
            if (holding >= 0) {
                return lastInWords(s, holding, holding + BLOCK, pattern);
            }
            end = start;
        }
        long wordsStart = from + ((end - from) & 7);
        long found = lastInWords(s, wordsStart, end, pattern);
        if (found >= 0) {
            return found;
        }
        for (long i = wordsStart - 1; i >= from; i--) {
            if (s.get(JAVA_BYTE, i) == b) {
                return i;
            }
        }
        return -1;
    }

    /** The branch-free block: does {@code [at, at + BLOCK)} hold a byte of {@code pattern}? */
    private static boolean blockHolds(MemorySegment s, long at, long pattern) {
        long any = 0;
        for (int k = 0; k < BLOCK; k += 8) {
            any |= someZeroByte(s.get(WORD, at + k) ^ pattern);
        }
        return any != 0;
    }

    /** The first byte of {@code pattern} in {@code [from, end)}, {@code end - from} a multiple of 8; or -1. */
    private static long firstInWords(MemorySegment s, long from, long end, long pattern) {
        for (long i = from; i < end; i += 8) {
            long m = someZeroByte(s.get(WORD, i) ^ pattern);
            if (m != 0) {
                return i + (Long.numberOfTrailingZeros(m) >>> 3);
            }
        }
        return -1;
    }

    /** The last byte of {@code pattern} in {@code [from, end)}, {@code end - from} a multiple of 8; or -1. */
    private static long lastInWords(MemorySegment s, long from, long end, long pattern) {
        for (long i = end - 8; i >= from; i -= 8) {
            long m = zeroBytes(s.get(WORD, i) ^ pattern);
            if (m != 0) {
                return i + highestByte(m);
            }
        }
        return -1;
    }

    @Override
    public long indexOf(MemorySegment s, long from, long to, Needle needle) {
        long starts = to - needle.length() + 1; // exclusive end of the possible starts
        int rare = needle.rare;
        int other = needle.other;
        long rarePattern = repeated(needle.at(rare));
        long otherPattern = repeated(needle.at(other));
        long i = from;
        long headEnd = Math.min(starts, from + HEAD);
        for (; i + 8 <= headEnd; i += 8) {
            long found = firstCandidate(s, i, needle, rarePattern, otherPattern);
            if (found >= 0) {
                return found;
            }
        }
        for (; i + BLOCK <= starts; i += BLOCK) {
            long any = 0;
            for (int k = 0; k < BLOCK; k += 8) {
                any |= someZeroByte(s.get(WORD, i + rare + k) ^ rarePattern)
                        & someZeroByte(s.get(WORD, i + other + k) ^ otherPattern);
            }
            if (any != 0) {
                for (long j = i; j < i + BLOCK; j += 8) {
                    long found = firstCandidate(s, j, needle, rarePattern, otherPattern);
                    if (found >= 0) {
                        return found;
                    }
                }
            }
        }
        for (; i + 8 <= starts; i += 8) {
            long found = firstCandidate(s, i, needle, rarePattern, otherPattern);
            if (found >= 0) {
                return found;
            }
        }
        for (; i < starts; i++) {
            if (needle.matchesAt(s, i)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public long lastIndexOf(MemorySegment s, long from, long to, Needle needle) {
        long starts = to - needle.length() + 1;
        int rare = needle.rare;
        int other = needle.other;
        long rarePattern = repeated(needle.at(rare));
        long otherPattern = repeated(needle.at(other));
        long end = starts; // exclusive end of the starts still to search
        long headStart = Math.max(from, starts - HEAD);
        for (; end - 8 >= headStart; end -= 8) {
            long found = lastCandidate(s, end - 8, needle, rarePattern, otherPattern);
            if (found >= 0) {
                return found;
            }
        }
        // Backwards by windows, each filtered forwards (see WINDOW); then the blocks that passed
        // the filter, highest first, verified word by word from their top.
        while (end - BLOCK >= from) {
            int blocks = (int) Math.min(WINDOW / BLOCK, (end - from) / BLOCK);
            long start = end - (long) blocks * BLOCK;
            int passed = 0;
            for (int b = 0; b < blocks; b++) {
                long at = start + (long) b * BLOCK;
                long any = 0;
                for (int k = 0; k < BLOCK; k += 8) {
                    any |= someZeroByte(s.get(WORD, at + rare + k) ^ rarePattern)
                            & someZeroByte(s.get(WORD, at + other + k) ^ otherPattern);
                }
                if (any != 0) {
                    passed |= 1 << b;
                }
            }
            while (passed != 0) {
                int b = 31 - Integer.numberOfLeadingZeros(passed);
                long at = start + (long) b * BLOCK;
                for (long j = at + BLOCK - 8; j >= at; j -= 8) {
                    long found = lastCandidate(s, j, needle, rarePattern, otherPattern);
                    if (found >= 0) {
                        return found;
                    }
                }
                passed &= ~(1 << b);
            }
            end = start;
        }
        for (; end - 8 >= from; end -= 8) {
            long found = lastCandidate(s, end - 8, needle, rarePattern, otherPattern);
            if (found >= 0) {
                return found;
            }
        }
        for (long k = end - 1; k >= from; k--) {
            if (needle.matchesAt(s, k)) {
                return k;
            }
        }
        return -1;
    }

    /** The lowest verified start among {@code i .. i + 7} whose two filter bytes match; or -1. */
    private static long firstCandidate(MemorySegment s, long i, Needle needle, long rarePattern, long otherPattern) {
        long m = zeroBytes(s.get(WORD, i + needle.rare) ^ rarePattern)
                & zeroBytes(s.get(WORD, i + needle.other) ^ otherPattern);
        while (m != 0) {
            long candidate = i + (Long.numberOfTrailingZeros(m) >>> 3);
            if (needle.matchesAt(s, candidate)) {
                return candidate;
            }
            m &= m - 1;
        }
        return -1;
    }

    /** The highest verified start among {@code i .. i + 7} whose two filter bytes match; or -1. */
    private static long lastCandidate(MemorySegment s, long i, Needle needle, long rarePattern, long otherPattern) {
        long m = zeroBytes(s.get(WORD, i + needle.rare) ^ rarePattern)
                & zeroBytes(s.get(WORD, i + needle.other) ^ otherPattern);
        while (m != 0) {
            int bit = 63 - Long.numberOfLeadingZeros(m);
            long candidate = i + (bit >>> 3);
            if (needle.matchesAt(s, candidate)) {
                return candidate;
            }
            m &= ~(1L << bit);
        }
        return -1;
    }

    private static int highestByte(long mask) {
        return (63 - Long.numberOfLeadingZeros(mask)) >>> 3;
    }
}
