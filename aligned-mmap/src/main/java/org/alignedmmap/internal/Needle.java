package org.alignedmmap.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A needle of two or more bytes, prepared once per search: the two positions the kernels filter
 * candidates on, and the verification of a candidate.
 *
 * <p>The filter positions are the needle's two rarest bytes by {@link ByteRarity} (ties: the
 * pair farthest apart, since neighbouring bytes of text are correlated). A filter on the first
 * and last bytes, the textbook choice, passes every other word of English text for a needle
 * like {@code "the#rest"}; a filter on {@code '#'} passes almost nothing.
 */
final class Needle {
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final byte[] bytes;
    private final MemorySegment segment;
    /** The first eight bytes as one word: most false candidates differ there. */
    private final long prefix;
    /** Offsets in the needle of the two filter bytes; {@code rare != other}. */
    final int rare;
    final int other;

    Needle(byte[] bytes) {
        if (bytes.length < 2) {
            throw new IllegalArgumentException("needle of " + bytes.length + " bytes: needs two or more");
        }
        this.bytes = bytes;
        this.segment = MemorySegment.ofArray(bytes);
        this.prefix = bytes.length >= 8 ? segment.get(WORD, 0) : 0;
        int r = 0;
        for (int k = 1; k < bytes.length; k++) {
            if (ByteRarity.commonness(bytes[k]) < ByteRarity.commonness(bytes[r])) {
                r = k;
            }
        }
        int o = r == 0 ? 1 : 0;
        for (int k = 0; k < bytes.length; k++) {
            if (k == r) {
                continue;
            }
            int ck = ByteRarity.commonness(bytes[k]);
            int co = ByteRarity.commonness(bytes[o]);
            if (ck < co || ck == co && Math.abs(k - r) > Math.abs(o - r)) {
                o = k;
            }
        }
        this.rare = r;
        this.other = o;
    }

    int length() {
        return bytes.length;
    }

    byte at(int k) {
        return bytes[k];
    }

    /**
     * Compares with the haystack's bytes at {@code position}, in Java (a fault stays an exception).
     *
     * @return true if all bytes are equal
     */
    boolean matchesAt(MemorySegment haystack, long position) {
        int n = bytes.length;
        if (n < 8) {
            for (int k = 0; k < n; k++) {
                if (haystack.get(JAVA_BYTE, position + k) != bytes[k]) {
                    return false;
                }
            }
            return true;
        }
        if (haystack.get(WORD, position) != prefix) {
            return false;
        }
        if (n <= 16) {
            // The last eight bytes, overlapping the prefix when n < 16.
            return haystack.get(WORD, position + n - 8) == segment.get(WORD, n - 8);
        }
        // The JDK's vectorized comparison; it runs in Java code, so a fault stays an exception.
        return MemorySegment.mismatch(haystack, position + 8, position + n, segment, 8, n) == -1;
    }
}
