package org.alignedmmap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.alignedmmap.testing.ProcMaps;
import org.alignedmmap.testing.ProcessFootprint;
import org.junit.jupiter.api.Test;

/**
 * Segments of an AlignedArena live and die exactly as those of the JDK's arenas: every check is
 * run on an {@code Arena.ofConfined()} or {@code Arena.ofShared()} of the JDK and on an
 * AlignedArena side by side, and must end the same way. Closing unmaps everything, with
 * /proc/self/maps as the witness, and a close the JDK refuses (a segment in use) unmaps nothing.
 */
class AlignedArenaLifetimeTest {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final long MIB = 1L << 20;

    /** One check: what it does to an arena and to a segment the arena allocated before. */
    interface Check {
        void run(Arena arena, MemorySegment segment) throws Throwable;
    }

    /** The checks on an arena closed before; every one must end as it does for the JDK's arena. */
    private static final Map<String, Check> AFTER_CLOSE = checks();

    private static Map<String, Check> checks() {
        Map<String, Check> checks = new LinkedHashMap<>();
        checks.put("allocate", (a, s) -> a.allocate(8, 8));
        checks.put("allocate(0, 1)", (a, s) -> a.allocate(0, 1));
        checks.put("allocate bad size", (a, s) -> a.allocate(-1, 8));
        checks.put("allocate bad alignment", (a, s) -> a.allocate(8, 3));
        checks.put("allocateFrom", (a, s) -> a.allocateFrom("x"));
        checks.put("close", (a, s) -> a.close());
        checks.put("get", (a, s) -> s.get(JAVA_BYTE, 0));
        checks.put("set", (a, s) -> s.set(JAVA_LONG, 0, 1L));
        checks.put("fill", (a, s) -> s.fill((byte) 1));
        checks.put("copy", (a, s) -> MemorySegment.copy(MemorySegment.ofArray(new byte[8]), 0, s, 0, 8));
        checks.put("toArray", (a, s) -> s.toArray(JAVA_BYTE));
        checks.put("mismatch", (a, s) -> s.mismatch(MemorySegment.ofArray(new byte[8])));
        checks.put("asByteBuffer", (a, s) -> s.asByteBuffer());
        checks.put("buffer get", (a, s) -> s.asByteBuffer().get(0));
        checks.put("asSlice", (a, s) -> s.asSlice(0, 4));
        checks.put("reinterpret to the arena", (a, s) -> MemorySegment.ofAddress(s.address()).reinterpret(8, a, null));
        checks.put("Aligned.copyOf", (a, s) -> Aligned.copyOf(new byte[8], 8, a));
        checks.put("isAlive is false", (a, s) -> {
            if (a.scope().isAlive() || s.scope().isAlive()) {
                throw new AssertionError("alive after close");
            }
        });
        return checks;
    }

    @Test
    void shouldKillSegmentsOnCloseAsTheJdksConfinedArenaDoes() {
        assertSameOutcomes(Arena::ofConfined, AlignedArena::ofConfined);
    }

    @Test
    void shouldKillSegmentsOnCloseAsTheJdksSharedArenaDoes() {
        assertSameOutcomes(Arena::ofShared, AlignedArena::ofShared);
    }

    private static void assertSameOutcomes(Supplier<Arena> jdk, Supplier<Arena> ours) {
        // Segments from a chunk, from a mapping of their own, and empty ones.
        for (long[] request : new long[][] {{64, 64}, {8 * MIB, 2 * MIB}, {0, 1}}) {
            for (Map.Entry<String, Check> check : AFTER_CLOSE.entrySet()) {
                String expected = afterClose(jdk.get(), request, check.getValue());
                String actual = afterClose(ours.get(), request, check.getValue());
                assertThat(actual).as("%s after close, segment of %d bytes at %d", check.getKey(), request[0],
                        request[1]).isEqualTo(expected);
            }
        }
    }

    private static String afterClose(Arena arena, long[] request, Check check) {
        MemorySegment segment = arena.allocate(request[0], request[1]);
        arena.close();
        return outcome(() -> check.run(arena, segment));
    }

    @Test
    void shouldConfineAllocationAccessAndCloseToTheOwnerThreadAsTheJdkDoes() throws Exception {
        Map<String, Check> foreign = new LinkedHashMap<>();
        foreign.put("allocate", (a, s) -> a.allocate(8, 8));
        foreign.put("allocate bad alignment", (a, s) -> a.allocate(8, 3));
        foreign.put("get", (a, s) -> s.get(JAVA_BYTE, 0));
        foreign.put("set", (a, s) -> s.set(JAVA_BYTE, 0, (byte) 1));
        foreign.put("buffer get", (a, s) -> s.asByteBuffer().get(0));
        foreign.put("close", (a, s) -> a.close());
        foreign.put("isAccessibleBy is false", (a, s) -> {
            if (s.isAccessibleBy(Thread.currentThread()) || a.scope().isAlive() != s.scope().isAlive()) {
                throw new AssertionError("accessible from a foreign thread");
            }
        });
        for (Map.Entry<String, Check> check : foreign.entrySet()) {
            for (boolean closedFirst : new boolean[] {false, true}) {
                String expected = fromAnotherThread(Arena.ofConfined(), check.getValue(), closedFirst);
                String actual = fromAnotherThread(AlignedArena.ofConfined(), check.getValue(), closedFirst);
                assertThat(actual).as("%s from another thread%s", check.getKey(), closedFirst ? ", closed" : "")
                        .isEqualTo(expected);
            }
        }
    }

    private static String fromAnotherThread(Arena arena, Check check, boolean closedFirst) throws Exception {
        MemorySegment segment = arena.allocate(64, 64);
        if (closedFirst) {
            arena.close();
        }
        String outcome = CompletableFuture.supplyAsync(() -> outcome(() -> check.run(arena, segment))).get();
        if (!closedFirst) {
            // The foreign thread changed nothing: the owner goes on using and closes the arena.
            segment.set(JAVA_BYTE, 0, (byte) 7);
            assertThat(arena.allocate(8, 8).scope()).isEqualTo(arena.scope());
            arena.close();
        }
        return outcome;
    }

    @Test
    void shouldShareSegmentsAllocationAndCloseAcrossThreads() throws Exception {
        AlignedArena arena = AlignedArena.ofShared();
        MemorySegment segment = CompletableFuture.supplyAsync(() -> arena.allocate(PAGE, PAGE)).get();
        segment.set(JAVA_LONG, 0, 42L);
        assertThat(CompletableFuture.supplyAsync(() -> segment.get(JAVA_LONG, 0)).get()).isEqualTo(42L);
        assertThat(segment.isAccessibleBy(new Thread(() -> { }))).isTrue();
        CompletableFuture.runAsync(arena::close).get();
        assertThat(segment.scope().isAlive()).isFalse();
        assertThatThrownBy(() -> segment.get(JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldLeaveNothingMappedAfterClose() throws Throwable {
        long huge = HugePages.TRANSPARENT.isAvailable() ? HugePages.TRANSPARENT.pageSize() : PAGE;
        List<Supplier<AlignedArena>> kinds = new ArrayList<>(List.of(AlignedArena::ofConfined, AlignedArena::ofShared,
                () -> AlignedArena.builder().chunkSize(5 * PAGE).confined(),
                () -> AlignedArena.builder().maxReserved(4L << 30).shared()));
        if (HugePages.TRANSPARENT.isAvailable()) {
            kinds.add(() -> AlignedArena.builder().transparentHugePages(true).confined());
        }
        for (Supplier<AlignedArena> kind : kinds) {
            ProcessFootprint.assertNothingLeftBehind(List.of(), () -> {
                List<long[]> ranges = new ArrayList<>();
                try (AlignedArena arena = kind.get()) {
                    // Chunk slices, chunk after chunk, mappings of their own at large alignments (the
                    // first allocation maps a chunk, so no small one comes from malloc).
                    for (long[] request : new long[][] {{64, 64}, {1, 1}, {PAGE, PAGE}, {3 * MIB, 2 * MIB},
                            {100_000, 8}, {20 * MIB, 64 * MIB}, {5, 1}, {huge + 1, huge}}) {
                        for (int i = 0; i < 20; i++) {
                            MemorySegment segment = arena.allocate(request[0], request[1]);
                            segment.set(JAVA_BYTE, 0, (byte) 1);
                            ranges.add(new long[] {segment.address(), Math.max(1, segment.byteSize())});
                        }
                    }
                    ProcMaps during = ProcMaps.read();
                    for (long[] range : ranges) {
                        assertThat(during.regionAt(range[0]).perms()).startsWith("rw-p");
                    }
                    assertThat(arena.reservedBytes()).isPositive();
                }
                ProcMaps after = ProcMaps.read();
                for (long[] range : ranges) {
                    assertThat(after.anyMapped(range[0], range[0] + range[1]))
                            .as("0x%x (%d bytes) still mapped after close", range[0], range[1]).isFalse();
                }
            });
        }
    }

    @Test
    void shouldReportNothingReservedAfterClose() {
        AlignedArena arena = AlignedArena.ofConfined();
        assertThat(arena.reservedBytes()).isZero();
        arena.allocate(1, 64);
        assertThat(arena.reservedBytes()).isEqualTo(AlignedArena.FIRST_CHUNK);
        assertThat(arena.toString()).contains("confined to " + Thread.currentThread().getName(), "1 mappings");
        arena.close();
        assertThat(arena.reservedBytes()).isZero();
        assertThat(arena.toString()).contains("closed");
    }

    @Test
    void shouldRefuseToCloseWhileAnIoOperationHoldsASegmentAndUnmapNothing() throws Exception {
        for (Supplier<Arena> kind : List.<Supplier<Arena>>of(Arena::ofShared, AlignedArena::ofShared)) {
            Arena arena = kind.get();
            MemorySegment buffer = arena.allocate(PAGE, PAGE);
            Pipe pipe = Pipe.open();
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return pipe.source().read(buffer.asByteBuffer());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread reader = awaitThreadIn("read0");
            assertThat(reader).as("a thread blocked reading the pipe").isNotNull();

            assertThatThrownBy(arena::close).as("close while %s is read into", arena)
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("acquired");
            assertThat(arena.scope().isAlive()).isTrue();
            assertThat(ProcMaps.read().anyMapped(buffer.address(), buffer.address() + PAGE)).isTrue();

            pipe.sink().write(ByteBuffer.wrap(new byte[] {42}));
            assertThat(read.get()).isEqualTo(1);
            assertThat(buffer.get(JAVA_BYTE, 0)).isEqualTo((byte) 42);
            arena.allocate(8, 8);
            arena.close();
            assertThat(buffer.scope().isAlive()).isFalse();
            pipe.sink().close();
            pipe.source().close();
        }
    }

    @Test
    void shouldRunTheCallersCleanupActionsWhileTheMemoryIsStillMapped() {
        AlignedArena arena = AlignedArena.ofConfined();
        MemorySegment segment = arena.allocate(64, 64);
        AtomicBoolean mappedDuringCleanup = new AtomicBoolean();
        MemorySegment.ofAddress(segment.address()).reinterpret(64, arena,
                s -> mappedDuringCleanup.set(ProcMaps.read().anyMapped(s.address(), s.address() + 64)));
        arena.close();
        assertThat(mappedDuringCleanup).isTrue();
        assertThat(ProcMaps.read().anyMapped(segment.address(), segment.address() + 64)).isFalse();
    }

    @Test
    void shouldCloseAndUnmapEvenWhenACleanupActionOfTheCallerThrows() {
        for (Supplier<Arena> kind : List.<Supplier<Arena>>of(Arena::ofConfined, AlignedArena::ofConfined)) {
            Arena arena = kind.get();
            MemorySegment segment = arena.allocate(4 * MIB, 2 * MIB);
            MemorySegment.ofAddress(segment.address()).reinterpret(8, arena, s -> {
                throw new IllegalArgumentException("cleanup failed");
            });
            assertThatThrownBy(arena::close).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cleanup failed");
            assertThat(arena.scope().isAlive()).isFalse();
            assertThatThrownBy(arena::close).isInstanceOf(IllegalStateException.class);
            if (arena instanceof AlignedArena) {
                assertThat(ProcMaps.read().anyMapped(segment.address(), segment.address() + 4 * MIB)).isFalse();
            }
        }
    }

    /** The first thread whose stack shows {@code frame}, waiting up to 10 seconds; null if none. */
    static Thread awaitThreadIn(String frame) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                if (Arrays.stream(e.getValue()).anyMatch(f -> f.getMethodName().equals(frame))) {
                    return e.getKey();
                }
            }
            Thread.sleep(10);
        }
        return null;
    }

    /** Code that may throw anything. */
    interface Body {
        void run() throws Throwable;
    }

    /** "returned" or the simple name of what was thrown. */
    static String outcome(Body body) {
        try {
            body.run();
            return "returned";
        } catch (Throwable t) {
            return "threw " + t.getClass().getSimpleName();
        }
    }
}
