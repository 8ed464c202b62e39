package org.alignedmmap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random arenas (confined or shared, growing or fixed chunks, with or without a cap) and random
 * sequences of allocations and writes, checked step by step against a simple model: the list of
 * segments handed out with the byte each was last filled with. Every allocation must be exactly
 * sized, aligned, zero-filled and disjoint from every earlier one; a write must change its
 * segment only; the arena must never hold more than its cap, and may refuse an allocation only
 * when even a mapping of its own would go past the cap. After close every segment is dead and
 * nothing is held. jqwik shrinks a failing case to a minimal one.
 */
class AlignedArenaModelPropertyTest {
    private static final long PAGE = SystemAlignment.pageSize();

    /** How the arena is built: chunkSize 0 means growing chunks, maxReserved 0 no cap. */
    record Config(boolean shared, long chunkSize, long maxReserved) {
        AlignedArena build() {
            AlignedArena.Builder builder = AlignedArena.builder();
            if (chunkSize > 0) {
                builder.chunkSize(chunkSize);
            }
            if (maxReserved > 0) {
                builder.maxReserved(maxReserved);
            }
            return shared ? builder.shared() : builder.confined();
        }
    }

    /** One step. */
    sealed interface Op permits Allocate, Write {}

    /** {@code allocate(size, 2^alignShift)}. */
    record Allocate(long size, int alignShift) implements Op {}

    /** Fills the segment at {@code perMille} of the model's list with {@code value}. */
    record Write(int perMille, byte value) implements Op {}

    /** A segment handed out, and what it must hold. */
    static final class Entry {
        final MemorySegment segment;
        byte value;

        Entry(MemorySegment segment) {
            this.segment = segment;
        }
    }

    @Property(tries = 300)
    void shouldBehaveLikeTheModel(@ForAll("configs") Config config, @ForAll("operations") List<Op> ops) {
        List<Entry> model = new ArrayList<>();
        AlignedArena arena = config.build();
        for (int step = 0; step < ops.size(); step++) {
            Op op = ops.get(step);
            String where = "step " + step + " " + op + " of " + config;
            switch (op) {
                case Allocate a -> allocate(arena, config, a, model, where);
                case Write w -> {
                    if (!model.isEmpty()) {
                        Entry entry = model.get(w.perMille() * (model.size() - 1) / 1000);
                        entry.segment.fill(w.value());
                        entry.value = w.value();
                    }
                }
            }
            if (config.maxReserved() > 0) {
                assertThat(arena.reservedBytes()).as("reserved after %s", where).isLessThanOrEqualTo(config
                        .maxReserved());
            }
            for (int i = 0; i < model.size(); i++) {
                assertHolds(model.get(i), "segment " + i + " after " + where);
            }
        }
        arena.close();
        assertThat(arena.reservedBytes()).isZero();
        for (Entry entry : model) {
            assertThat(entry.segment.scope().isAlive()).isFalse();
            if (entry.segment.byteSize() > 0) {
                assertThatThrownBy(() -> entry.segment.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
            }
        }
    }

    private static void allocate(AlignedArena arena, Config config, Allocate a, List<Entry> model, String where) {
        long align = 1L << a.alignShift();
        long reservedBefore = arena.reservedBytes();
        MemorySegment segment;
        try {
            segment = arena.allocate(a.size(), align);
        } catch (OutOfMemoryError refused) {
            // Only a cap may refuse these sizes, and only when even an exact mapping would not fit.
            assertThat(config.maxReserved()).as("refused without a cap: %s (%s)", where, refused).isPositive();
            long ownMapping = Aligned.alignUp(Math.max(1, a.size()), PAGE);
            assertThat(reservedBefore + ownMapping).as("refused though it fits under the cap: %s", where)
                    .isGreaterThan(config.maxReserved());
            assertThat(arena.reservedBytes()).as("reserved after a refusal").isEqualTo(reservedBefore);
            return;
        }
        assertThat(segment.byteSize()).as("size at %s", where).isEqualTo(a.size());
        assertThat(segment.address() % align).as("alignment at %s", where).isZero();
        assertThat(segment.scope()).isEqualTo(arena.scope());
        if (a.size() > 0) {
            assertThat(segment.mismatch(MemorySegment.ofArray(new byte[(int) a.size()])))
                    .as("first non-zero byte at %s", where).isEqualTo(-1);
        }
        long start = segment.address();
        long end = start + Math.max(1, a.size());
        for (Entry earlier : model) {
            long s = earlier.segment.address();
            long e = s + Math.max(1, earlier.segment.byteSize());
            assertThat(end <= s || e <= start).as("[0x%x, 0x%x) overlaps an earlier [0x%x, 0x%x) at %s", start, end,
                    s, e, where).isTrue();
        }
        model.add(new Entry(segment));
    }

    private static void assertHolds(Entry entry, String where) {
        long size = entry.segment.byteSize();
        if (size == 0) {
            return;
        }
        byte[] expected = new byte[(int) size];
        java.util.Arrays.fill(expected, entry.value);
        assertThat(entry.segment.mismatch(MemorySegment.ofArray(expected))).as("first changed byte of %s", where)
                .isEqualTo(-1);
    }

    @Provide
    Arbitrary<Config> configs() {
        Arbitrary<Long> chunk = Arbitraries.oneOf(Arbitraries.just(0L),
                Arbitraries.integers().between(1, 64).map(pages -> pages * PAGE - 3));
        Arbitrary<Long> cap = Arbitraries.oneOf(Arbitraries.just(0L),
                Arbitraries.longs().between(PAGE, 12L << 20));
        return Combinators.combine(Arbitraries.of(false, true), chunk, cap).as(Config::new);
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Long> size = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.longs().between(0, 300)),
                net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(300, 3 * PAGE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(3 * PAGE, 3L << 20)));
        Arbitrary<Integer> alignShift = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(0, 7)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(8, 22)));
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Combinators.combine(size, alignShift).as(Allocate::new)),
                net.jqwik.api.Tuple.of(1, Combinators.combine(Arbitraries.integers().between(0, 1000),
                        Arbitraries.bytes()).as(Write::new)));
        return op.list().ofMaxSize(40);
    }
}
