package org.alignedmmap.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Both search kernels against the obvious loop, on native memory: random haystacks over small
 * alphabets (so that near-misses and matches are common), random ranges and needles, and every
 * length and offset near the kernels' block edges.
 */
class SearchKernelTest {
    /** A search problem: haystack, range, needle. */
    record Case(byte[] haystack, int from, int to, byte[] needle) {
        @Override
        public String toString() {
            return "Case[haystack=" + Arrays.toString(haystack) + ", from=" + from + ", to=" + to + ", needle="
                    + Arrays.toString(needle) + "]";
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<byte[]> haystacks = Arbitraries.bytes().between((byte) 0, (byte) 3).array(byte[].class)
                .ofMaxSize(700);
        return haystacks.flatMap(h -> {
            Arbitrary<Integer> from = Arbitraries.integers().between(0, h.length);
            return from.flatMap(f -> Combinators.combine(
                    Arbitraries.integers().between(f, h.length),
                    Arbitraries.bytes().between((byte) 0, (byte) 3).array(byte[].class).ofMinSize(1).ofMaxSize(40))
                    .as((t, n) -> new Case(h, f, t, n)));
        });
    }

    @Property(tries = 3000)
    void shouldFindFirstLikeTheObviousLoop(@ForAll("cases") Case c) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, c.haystack());
            long expected = naiveIndexOf(c.haystack(), c.from(), c.to(), c.needle());
            assertThat(ByteSearch.indexOf(s, c.from(), c.to(), c.needle())).isEqualTo(expected);
            if (c.needle().length == 1) {
                assertThat(SwarSearch.indexOf(s, c.from(), c.to(), c.needle()[0])).isEqualTo(expected);
                assertThat(VectorSearch.indexOf(s, c.from(), c.to(), c.needle()[0])).isEqualTo(expected);
            } else if (c.to() - c.from() >= c.needle().length) {
                assertThat(SwarSearch.indexOf(s, c.from(), c.to(), c.needle())).isEqualTo(expected);
                assertThat(VectorSearch.indexOf(s, c.from(), c.to(), c.needle())).isEqualTo(expected);
            }
        }
    }

    @Property(tries = 3000)
    void shouldFindLastLikeTheObviousLoop(@ForAll("cases") Case c) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, c.haystack());
            long expected = naiveLastIndexOf(c.haystack(), c.from(), c.to(), c.needle());
            assertThat(ByteSearch.lastIndexOf(s, c.from(), c.to(), c.needle())).isEqualTo(expected);
            if (c.needle().length == 1) {
                assertThat(SwarSearch.lastIndexOf(s, c.from(), c.to(), c.needle()[0])).isEqualTo(expected);
                assertThat(VectorSearch.lastIndexOf(s, c.from(), c.to(), c.needle()[0])).isEqualTo(expected);
            } else if (c.to() - c.from() >= c.needle().length) {
                assertThat(SwarSearch.lastIndexOf(s, c.from(), c.to(), c.needle())).isEqualTo(expected);
                assertThat(VectorSearch.lastIndexOf(s, c.from(), c.to(), c.needle())).isEqualTo(expected);
            }
        }
    }

    @Test
    void shouldFindASingleMatchAtEveryPositionOfEveryLength() {
        SplittableRandom random = new SplittableRandom(11);
        try (Arena arena = Arena.ofConfined()) {
            for (int length = 1; length <= 300; length++) {
                for (int needleLength : new int[] {1, 2, 3, 8, 17, 32}) {
                    if (needleLength > length) {
                        continue;
                    }
                    byte[] needle = new byte[needleLength];
                    for (int k = 0; k < needleLength; k++) {
                        needle[k] = (byte) (1 + random.nextInt(200));
                    }
                    for (int at = 0; at + needleLength <= length; at++) {
                        byte[] hay = new byte[length];
                        System.arraycopy(needle, 0, hay, at, needleLength);
                        MemorySegment s = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, hay);
                        long first = naiveIndexOf(hay, 0, length, needle);
                        long last = naiveLastIndexOf(hay, 0, length, needle);
                        assertThat(ByteSearch.indexOf(s, 0, length, needle)).as("len %d at %d n %d", length, at,
                                needleLength)
                                .isEqualTo(first);
                        assertThat(ByteSearch.lastIndexOf(s, 0, length, needle)).as("len %d at %d n %d", length, at,
                                needleLength).isEqualTo(last);
                    }
                }
            }
        }
    }

    @Test
    void shouldTreatEmptyNeedleAsPython() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(10);
            assertThat(ByteSearch.indexOf(s, 3, 7, new byte[0])).isEqualTo(3);
            assertThat(ByteSearch.lastIndexOf(s, 3, 7, new byte[0])).isEqualTo(7);
            assertThat(ByteSearch.indexOf(s, 10, 10, new byte[0])).isEqualTo(10);
        }
    }

    @Test
    void shouldNameTheKernelInUse() {
        assertThat(ByteSearch.kernel()).matches("vector \\(\\d+-byte lanes\\)|swar \\(8-byte words\\)");
    }

    static long naiveIndexOf(byte[] hay, int from, int to, byte[] needle) {
        outer:
        for (int i = from; i + needle.length <= to; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (hay[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static long naiveLastIndexOf(byte[] hay, int from, int to, byte[] needle) {
        outer:
        for (int i = to - needle.length; i >= from; i--) {
            for (int k = 0; k < needle.length; k++) {
                if (hay[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
