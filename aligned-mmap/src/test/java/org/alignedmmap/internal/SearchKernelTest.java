package org.alignedmmap.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Every search kernel against the obvious loop, on native memory: random haystacks over small
 * alphabets (so that near-misses and matches are common) and long enough to cross the portable
 * kernel's word-by-word head, its branch-free blocks and its tail; random ranges and needles of
 * 1 to 40 bytes; and a needle planted at every offset near the block edges, for every length.
 *
 * <p>The kernels are called directly (the portable one and, this JVM having the vector module,
 * the vector one), and through {@link ByteSearch}, whatever it chose.
 */
class SearchKernelTest {
    private static final List<SearchKernel> KERNELS = kernels();

    /** A search problem: haystack, range, needle. */
    record Case(byte[] haystack, int from, int to, byte[] needle) {
        @Override
        public String toString() {
            return "Case[length=" + haystack.length + ", from=" + from + ", to=" + to + ", needle="
                    + Arrays.toString(needle) + ", haystack=" + Arrays.toString(haystack) + "]";
        }
    }

    private static List<SearchKernel> kernels() {
        List<SearchKernel> kernels = new ArrayList<>(List.of(SwarSearch.INSTANCE));
        SearchKernel vector = VectorSearch.create();
        assertThat(vector).as("the test JVM runs with the vector module on a CPU with 16+ byte vectors").isNotNull();
        kernels.add(vector);
        return kernels;
    }

    @Provide
    Arbitrary<Case> cases() {
        // Two alphabets: four values (matches everywhere), or the rare bytes the filter keys on
        // among common ones, so that the filter positions move around the needle.
        Arbitrary<Byte> small = Arbitraries.bytes().between((byte) 0, (byte) 3);
        Arbitrary<Byte> mixed = Arbitraries.of((byte) 'e', (byte) 't', (byte) ' ', (byte) '#', (byte) 'Q', (byte) 0);
        return Arbitraries.oneOf(cases(small), cases(mixed));
    }

    private static Arbitrary<Case> cases(Arbitrary<Byte> alphabet) {
        Arbitrary<byte[]> haystacks = alphabet.array(byte[].class).ofMaxSize(3 * SwarSearch.BLOCK);
        return haystacks.flatMap(h -> {
            Arbitrary<Integer> from = Arbitraries.integers().between(0, h.length).edgeCases(e -> e.add(0));
            return from.flatMap(f -> Combinators.combine(
                    Arbitraries.integers().between(f, h.length).edgeCases(e -> e.add(h.length)),
                    alphabet.array(byte[].class).ofMinSize(1).ofMaxSize(40))
                    .as((t, n) -> new Case(h, f, t, n)));
        });
    }

    @Property(tries = 1500)
    void shouldFindFirstLikeTheObviousLoop(@ForAll("cases") Case c) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocateFrom(ValueLayout.JAVA_BYTE, c.haystack());
            long expected = naiveIndexOf(c.haystack(), c.from(), c.to(), c.needle());
            assertThat(ByteSearch.indexOf(s, c.from(), c.to(), c.needle())).isEqualTo(expected);
            for (SearchKernel kernel : KERNELS) {
                assertThat(first(kernel, s, c.from(), c.to(), c.needle())).as(kernel.describe()).isEqualTo(expected);
            }
        }
    }

    @Property(tries = 1500)
    void shouldFindLastLikeTheObviousLoop(@ForAll("cases") Case c) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocateFrom(ValueLayout.JAVA_BYTE, c.haystack());
            long expected = naiveLastIndexOf(c.haystack(), c.from(), c.to(), c.needle());
            assertThat(ByteSearch.lastIndexOf(s, c.from(), c.to(), c.needle())).isEqualTo(expected);
            for (SearchKernel kernel : KERNELS) {
                assertThat(last(kernel, s, c.from(), c.to(), c.needle())).as(kernel.describe()).isEqualTo(expected);
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
                    byte[] needle = randomNeedle(random, needleLength);
                    for (int at = 0; at + needleLength <= length; at++) {
                        byte[] hay = new byte[length];
                        System.arraycopy(needle, 0, hay, at, needleLength);
                        MemorySegment s = arena.allocateFrom(ValueLayout.JAVA_BYTE, hay);
                        for (SearchKernel kernel : KERNELS) {
                            String what = kernel.describe() + " len " + length + " at " + at + " n " + needleLength;
                            assertThat(first(kernel, s, 0, length, needle)).as(what).isEqualTo(at);
                            assertThat(last(kernel, s, 0, length, needle)).as(what).isEqualTo(at);
                        }
                    }
                }
            }
        }
    }

    /**
     * A haystack of a few blocks, and for every needle length 1..40 a single copy of the needle
     * at every start near the edges of the head and the blocks, searched over the whole range
     * and over ranges that end or start right at the needle.
     */
    @Test
    void shouldFindANeedleAtEveryBlockEdgeForEveryLength() {
        int length = SwarSearch.HEAD + 3 * SwarSearch.BLOCK + 77;
        int[] needleLengths = new int[40];
        for (int n = 1; n <= 40; n++) {
            needleLengths[n - 1] = n;
        }
        List<Integer> edges = new ArrayList<>();
        for (int edge = 0; edge <= length; edge += 8) {
            if ((edge - SwarSearch.HEAD) % SwarSearch.BLOCK == 0 || edge < 16 || edge > length - 120
                    || (length - edge - SwarSearch.HEAD) % SwarSearch.BLOCK == 0) {
                edges.add(edge);
            }
        }
        findAtEdges(length, needleLengths, edges, 12);
    }

    /**
     * Backward searches go down by windows of {@link SwarSearch#WINDOW} bytes, each read forwards:
     * a haystack of more than two windows, with the needle near the windows' and their blocks'
     * edges counted from the top.
     */
    @Test
    void shouldFindANeedleAtEveryWindowEdge() {
        int length = SwarSearch.HEAD + 2 * SwarSearch.WINDOW + 2 * SwarSearch.BLOCK + 77;
        List<Integer> edges = new ArrayList<>(List.of(0, 8, length));
        for (int top = length - SwarSearch.HEAD; top > 0; top -= SwarSearch.WINDOW) {
            edges.addAll(List.of(top, top - SwarSearch.BLOCK, top - SwarSearch.WINDOW + SwarSearch.BLOCK));
        }
        findAtEdges(length, new int[] {1, 2, 8, 9, 33}, edges, 13);
    }

    /** Two copies of the needle anywhere in a few windows: forwards finds the lower, backwards the higher. */
    @Test
    void shouldFindTheNearerOfTwoCopiesAcrossWindows() {
        int length = SwarSearch.HEAD + 3 * SwarSearch.WINDOW + 1000;
        SplittableRandom random = new SplittableRandom(14);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(length);
            for (int round = 0; round < 300; round++) {
                int n = new int[] {1, 2, 8, 33}[round % 4];
                byte[] needle = randomNeedle(random, n);
                int low = random.nextInt(length - n);
                int high = random.nextInt(length - n);
                if (Math.abs(high - low) < n) {
                    continue;
                }
                s.fill((byte) 0);
                MemorySegment.copy(needle, 0, s, ValueLayout.JAVA_BYTE, low, n);
                MemorySegment.copy(needle, 0, s, ValueLayout.JAVA_BYTE, high, n);
                for (SearchKernel kernel : KERNELS) {
                    String what = kernel.describe() + " copies at " + low + " and " + high + " n " + n;
                    assertThat(first(kernel, s, 0, length, needle)).as(what).isEqualTo(Math.min(low, high));
                    assertThat(last(kernel, s, 0, length, needle)).as(what).isEqualTo(Math.max(low, high));
                }
            }
        }
    }

    private static void findAtEdges(int length, int[] needleLengths, List<Integer> edges, long seed) {
        List<Integer> starts = new ArrayList<>();
        for (int edge : edges) {
            for (int d = -9; d <= 9; d++) {
                starts.add(edge + d);
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(length);
            byte[] hay = new byte[length];
            for (int n : needleLengths) {
                byte[] needle = randomNeedle(random, n);
                for (int at : starts) {
                    if (at < 0 || at + n > length) {
                        continue;
                    }
                    Arrays.fill(hay, (byte) 0);
                    System.arraycopy(needle, 0, hay, at, n);
                    MemorySegment.copy(hay, 0, s, ValueLayout.JAVA_BYTE, 0, length);
                    for (SearchKernel kernel : KERNELS) {
                        String what = kernel.describe() + " at " + at + " n " + n;
                        assertThat(first(kernel, s, 0, length, needle)).as(what).isEqualTo(at);
                        assertThat(last(kernel, s, 0, length, needle)).as(what).isEqualTo(at);
                        assertThat(first(kernel, s, at, at + n, needle)).as(what + " exact range").isEqualTo(at);
                        assertThat(last(kernel, s, at, at + n, needle)).as(what + " exact range").isEqualTo(at);
                        assertThat(first(kernel, s, at + 1, length, needle)).as(what + " from after").isEqualTo(-1);
                        assertThat(last(kernel, s, 0, at + n - 1, needle)).as(what + " to before").isEqualTo(-1);
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
    void shouldFilterOnTheRarestBytes() {
        Needle needle = new Needle("the#rest".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(needle.rare).as("'#' is the rarest").isEqualTo(3);
        Needle jumps = new Needle("the quick brown fox JUMPS over t".getBytes(java.nio.charset.StandardCharsets
                .US_ASCII));
        assertThat(List.of(jumps.rare, jumps.other)).allMatch(k -> k >= 20 && k <= 24, "an uppercase letter");
        Needle same = new Needle(new byte[] {7, 7});
        assertThat(List.of(same.rare, same.other)).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void shouldNameTheKernelInUse() {
        assertThat(ByteSearch.kernel())
                .matches("vector \\(\\d+-byte lanes\\)|swar \\(8-byte words, \\d+-byte blocks\\)");
    }

    private static byte[] randomNeedle(SplittableRandom random, int n) {
        byte[] needle = new byte[n];
        for (int k = 0; k < n; k++) {
            needle[k] = (byte) (1 + random.nextInt(200));
        }
        return needle;
    }

    /** The kernel's forward search with {@link ByteSearch}'s preconditions applied. */
    private static long first(SearchKernel kernel, MemorySegment s, long from, long to, byte[] needle) {
        if (to - from < needle.length) {
            return -1;
        }
        return needle.length == 1 ? kernel.indexOf(s, from, to, needle[0]) : kernel.indexOf(s, from, to,
                new Needle(needle));
    }

    private static long last(SearchKernel kernel, MemorySegment s, long from, long to, byte[] needle) {
        if (to - from < needle.length) {
            return -1;
        }
        return needle.length == 1 ? kernel.lastIndexOf(s, from, to, needle[0]) : kernel.lastIndexOf(s, from, to,
                new Needle(needle));
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
