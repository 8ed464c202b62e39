package org.alignedmmap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.alignedmmap.children.ArenaCloseRaceChild;
import org.alignedmmap.testing.ChildJvm;
import org.junit.jupiter.api.Test;

/**
 * A shared AlignedArena under two threads: allocations made at the same time never overlap, and
 * a close racing allocations (in a child JVM, {@link ArenaCloseRaceChild}, so that a crash fails
 * this test instead of the suite) gives the allocating threads IllegalStateException and nothing
 * else, and leaves nothing mapped.
 */
class AlignedArenaConcurrencyTest {
    private static final int PER_THREAD = 20_000;

    /** What one thread got: the segments in order. */
    private record Got(int thread, List<MemorySegment> segments) {}

    /**
     * Rounds tried until the two threads really ran at once: on two cores the scheduler sometimes
     * runs one thread's whole batch before the other starts (9 changes of thread seen once).
     */
    private static final int MAX_ROUNDS = 20;

    @Test
    void shouldHandOutDisjointSegmentsToTwoThreadsAllocatingAtOnce() throws Exception {
        int switches = 0;
        for (int round = 0; round < MAX_ROUNDS && switches <= 10; round++) {
            switches = fillFromTwoThreadsAndCheck();
        }
        // The threads really shared chunks: in address order their segments alternate.
        assertThat(switches).as("changes of thread between neighbouring segments").isGreaterThan(10);
    }

    /**
     * Fills one shared arena from two threads at once and checks every segment (scope, contents,
     * disjointness).
     *
     * @return how often the owning thread changes between segments in address order
     */
    private static int fillFromTwoThreadsAndCheck() throws Exception {
        try (AlignedArena arena = AlignedArena.ofShared()) {
            CyclicBarrier start = new CyclicBarrier(2);
            List<CompletableFuture<Got>> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int thread = t;
                threads.add(CompletableFuture.supplyAsync(() -> fill(arena, start, thread)));
            }
            List<Got> got = new ArrayList<>();
            for (CompletableFuture<Got> future : threads) {
                got.add(future.get());
            }
            // Every segment still holds what its thread wrote: no other allocation landed on it.
            record Owned(MemorySegment segment, int thread, int index) {}
            List<Owned> all = new ArrayList<>();
            for (Got g : got) {
                for (int i = 0; i < g.segments().size(); i++) {
                    MemorySegment segment = g.segments().get(i);
                    assertThat(segment.scope()).isEqualTo(arena.scope());
                    assertThat(segment.get(JAVA_BYTE, 0)).isEqualTo(mark(g.thread(), i));
                    assertThat(segment.get(JAVA_BYTE, segment.byteSize() - 1)).isEqualTo(mark(g.thread(), i));
                    all.add(new Owned(segment, g.thread(), i));
                }
            }
            AlignedArenaAllocationTest.assertDisjoint(all.stream().map(Owned::segment).toList());
            all.sort(Comparator.comparingLong(o -> o.segment().address()));
            int switches = 0;
            for (int i = 1; i < all.size(); i++) {
                if (all.get(i).thread() != all.get(i - 1).thread()) {
                    switches++;
                }
            }
            return switches;
        }
    }

    private static Got fill(AlignedArena arena, CyclicBarrier start, int thread) {
        SplittableRandom random = new SplittableRandom(thread);
        List<MemorySegment> segments = new ArrayList<>(PER_THREAD);
        try {
            start.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < PER_THREAD; i++) {
            long size = random.nextInt(10) == 0 ? random.nextLong(1, 100_000) : random.nextLong(1, 300);
            long align = 1L << random.nextInt(13);
            MemorySegment segment = arena.allocate(size, align);
            if (segment.address() % align != 0 || segment.byteSize() != size) {
                throw new AssertionError("allocate(" + size + ", " + align + ") gave " + segment);
            }
            segment.set(JAVA_BYTE, 0, mark(thread, i));
            segment.set(JAVA_BYTE, size - 1, mark(thread, i));
            segments.add(segment);
        }
        return new Got(thread, segments);
    }

    private static byte mark(int thread, int index) {
        return (byte) (thread * 100 + index % 97 + 1);
    }

    @Test
    void shouldGiveOnlyIllegalStateExceptionToThreadsAllocatingFromAnArenaClosedUnderThem() throws Exception {
        ChildJvm.Result result = ChildJvm.run(ArenaCloseRaceChild.class, List.of("-Xmx256m"), 120, "2000");

        assertThat(result.exitCode()).as("child exit code; output:%n%s", result.output()).isZero();
        List<String> lines = result.lines();
        assertThat(lines).as("exceptions other than IllegalStateException, segments alive or memory held after close")
                .noneMatch(line -> line.startsWith("UNEXPECTED"));
        int rounds = Integer.parseInt(value(lines, "ALIVE rounds="));
        assertThat(rounds).as("rounds of close under allocation").isGreaterThanOrEqualTo(50);
        assertThat(Long.parseLong(value(lines, "count stopped "))).as("worker rounds ended by the close")
                .isEqualTo(2L * rounds);
        assertThat(Long.parseLong(value(lines, "count allocated "))).as("allocations before the closes")
                .isGreaterThan(100L * rounds);
        // A chunk mapped after its arena closed would never be unmapped: the address space would grow.
        assertThat(Long.parseLong(value(lines, "grown kB "))).as("address space growth after warm-up, kB")
                .isLessThan(64 * 1024);
    }

    private static String value(List<String> lines, String prefix) {
        return lines.stream().filter(line -> line.startsWith(prefix)).findFirst()
                .map(line -> line.substring(prefix.length()))
                .orElseThrow(() -> new AssertionError("no line " + prefix + " in:\n" + String.join("\n", lines)));
    }
}
