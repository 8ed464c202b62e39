package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.alignedmmap.internal.PowerOfTwo;
import org.alignedmmap.testing.ProcMaps;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad arguments and failures: clear messages naming the parameter and value, and nothing left
 * behind. A size no other code in the JVM uses (3 GiB + 5 pages) makes a leaked mapping or
 * reservation visible in /proc/self/maps.
 */
class AlignedArgumentsTest {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final long ODD_SIZE = (3L << 30) + 5 * PAGE;

    @ParameterizedTest(name = "align={0}")
    @ValueSource(longs = {0, 3, 6, 1000, -1, -8, Long.MIN_VALUE, (1L << 62) + 1})
    void shouldRefuseAlignmentsThatAreNotPowersOfTwo(long align) {
        try (Arena arena = Arena.ofConfined()) {
            assertRefusedWithoutLeaks(() -> Aligned.allocate(arena, ODD_SIZE, align), "align", String.valueOf(align));
            assertThatThrownBy(() -> Aligned.copyOf(new byte[1], align, arena))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("align");
            assertThatThrownBy(() -> Aligned.alignUp(10, align))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("align must be a power of two");
            assertThatThrownBy(() -> Aligned.alignDown(10, align)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Aligned.isAligned(64, align)).isInstanceOf(IllegalArgumentException.class);
        }
        if (align == (int) align) {
            assertThatThrownBy(() -> Aligned.allocateDirect(16, (int) align))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("align");
        }
    }

    @Test
    void shouldRefuseNegativeSizes() {
        try (Arena arena = Arena.ofConfined()) {
            assertRefusedWithoutLeaks(() -> Aligned.allocate(arena, -1, 64), "size", "-1");
            assertRefusedWithoutLeaks(() -> Aligned.allocate(arena, Long.MIN_VALUE, PAGE), "size",
                    String.valueOf(Long.MIN_VALUE));
            assertThatThrownBy(() -> Aligned.allocateDirect(arena, -5, 64))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity")
                            .hasMessageContaining("-5");
        }
        assertThatThrownBy(() -> Aligned.allocateDirect(-5, 64))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity");
    }

    @ParameterizedTest(name = "align={0}")
    @ValueSource(longs = {1, 64, 1L << 30, 1L << 62})
    void shouldRefuseSizesWhoseSumWithTheAlignmentOverflows(long align) {
        long size = Long.MAX_VALUE - align + 1;
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> Aligned.allocate(arena, size, align))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("size=" + size)
                    .hasMessageContaining("align=" + align)
                    .hasMessageContaining("overflow");
        }
    }

    @Test
    void shouldRefuseAClosedArenaBeforeAllocating() {
        Arena arena = Arena.ofShared();
        arena.close();
        for (long align : new long[] {8, PAGE, 1L << 30}) {
            assertRefusedWithoutLeaks(() -> Aligned.allocate(arena, ODD_SIZE, align), "arena", "closed");
            assertThatThrownBy(() -> Aligned.allocate(arena, 16, align))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("arena")
                            .hasMessageContaining("closed");
        }
        assertThatThrownBy(() -> Aligned.allocateDirect(arena, 16, 64))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("arena");
        assertThatThrownBy(() -> Aligned.copyOf(new byte[16], 64, arena))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("arena");
    }

    @Test
    void shouldRefuseAnArenaConfinedToAnotherThreadBeforeMapping() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            List<ProcMaps.Region> before = regionsOfOddSize();
            Throwable thrown = CompletableFuture.supplyAsync(() -> {
                try {
                    Aligned.allocate(arena, ODD_SIZE, 1L << 30);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            }).get();
            assertThat(thrown).isInstanceOf(WrongThreadException.class);
            assertThat(regionsOfOddSize()).isEqualTo(before);
        }
    }

    @Test
    void shouldRefuseNullsNamingTheParameter() {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> Aligned.allocate(null, 8, 8)).isInstanceOf(NullPointerException.class)
                    .hasMessage("arena");
            assertThatThrownBy(() -> Aligned.copyOf((byte[]) null, 8, arena)).isInstanceOf(NullPointerException.class)
                    .hasMessage("src");
            assertThatThrownBy(() -> Aligned.copyOf((ByteBuffer) null, 8, arena))
                    .isInstanceOf(NullPointerException.class).hasMessage("src");
            assertThatThrownBy(() -> Aligned.copyOf((MemorySegment) null, 8, arena))
                    .isInstanceOf(NullPointerException.class).hasMessage("src");
            assertThatThrownBy(() -> Aligned.copyOf(new byte[1], 8, null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("arena");
            assertThatThrownBy(() -> Aligned.address((ByteBuffer) null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("buffer");
            assertThatThrownBy(() -> Aligned.address((MemorySegment) null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("segment");
        }
    }

    @Test
    void shouldRefuseACopyFromDeadOrForeignMemoryBeforeAllocating() throws Exception {
        MemorySegment dead;
        try (Arena source = Arena.ofConfined()) {
            dead = source.allocate(64);
        }
        try (Arena arena = Arena.ofShared()) {
            assertThatThrownBy(() -> Aligned.copyOf(dead, 64, arena))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("src")
                            .hasMessageContaining("closed");
            try (Arena confined = Arena.ofConfined()) {
                MemorySegment foreign = confined.allocate(64);
                Throwable thrown = CompletableFuture.supplyAsync(() -> {
                    try {
                        Aligned.copyOf(foreign, 64, arena);
                        return null;
                    } catch (Throwable t) {
                        return t;
                    }
                }).get();
                assertThat(thrown).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("src");
            }
        }
    }

    @Test
    void shouldRefuseHeapMemoryWhereANativeAddressIsNeeded() {
        assertThatThrownBy(() -> Aligned.address(ByteBuffer.allocate(16)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("heap buffer")
                .hasMessageContaining("no fixed native address");
        assertThatThrownBy(() -> Aligned.isAligned(ByteBuffer.wrap(new byte[16]), 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heap buffer");
        assertThatThrownBy(() -> Aligned.address(MemorySegment.ofArray(new byte[16])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heap segment");
        assertThatThrownBy(() -> Aligned.isAligned(MemorySegment.ofArray(new long[2]), 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heap segment");
    }

    @Test
    void shouldThrowOutOfMemoryWithTheErrnoWhenTheAddressSpaceIsTooSmall() {
        // 2^60 bytes exceed any user address space (47 or 56 bits): the reservation itself fails.
        long size = 1L << 60;
        List<ProcMaps.Region> reservationsBefore = ProcMaps.read().reservationsOfAtLeast(1L << 30);
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> Aligned.allocate(arena, size, 2L << 20))
                    .isInstanceOf(OutOfMemoryError.class)
                    .hasMessageContaining("cannot map " + size + " bytes at align " + (2L << 20))
                    .hasMessageContaining("ENOMEM")
                    .cause().isInstanceOf(ErrnoException.class);
            assertThatThrownBy(() -> Aligned.allocate(arena, size, 8)).isInstanceOf(OutOfMemoryError.class);
        }
        assertThat(ProcMaps.read().reservationsOfAtLeast(1L << 30)).isEqualTo(reservationsBefore);
    }

    @Test
    void shouldUndoTheReservationWhenTheKernelRefusesTheMappingInsideIt() throws IOException {
        // The reservation costs no commit charge (PROT_NONE, MAP_NORESERVE) and succeeds; the
        // writable mapping inside it is refused when it exceeds RAM + swap under heuristic or
        // strict overcommit. With overcommit_memory=1 the kernel accepts anything.
        String overcommit = Files.readString(Path.of("/proc/sys/vm/overcommit_memory")).strip();
        assumeThat(overcommit).as("vm.overcommit_memory=1 accepts any mapping; nothing to refuse").isNotEqualTo("1");
        long size = PowerOfTwo.alignUp(2 * (memInfo("MemTotal") + memInfo("SwapTotal")), 1L << 30);
        List<ProcMaps.Region> reservationsBefore = ProcMaps.read().reservationsOfAtLeast(1L << 30);
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> Aligned.allocate(arena, size, 1L << 30))
                    .isInstanceOf(OutOfMemoryError.class)
                    .hasMessageContaining("MAP_FIXED")
                    .hasMessageContaining("ENOMEM");
        }
        assertThat(ProcMaps.read().reservationsOfAtLeast(1L << 30)).isEqualTo(reservationsBefore);
        assertThat(ProcMaps.read().regions().stream().filter(r -> r.size() >= size).toList()).isEmpty();
    }

    private static long memInfo(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.split("\\s+")[1]) * 1024;
            }
        }
        throw new IllegalStateException(field + " not in /proc/meminfo");
    }

    private static void assertRefusedWithoutLeaks(ThrowingCallable call, String... messageParts) {
        List<ProcMaps.Region> before = regionsOfOddSize();
        List<ProcMaps.Region> reservationsBefore = ProcMaps.read().reservationsOfAtLeast(ODD_SIZE);
        assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class).hasMessageContainingAll(messageParts);
        assertThat(regionsOfOddSize()).isEqualTo(before);
        assertThat(ProcMaps.read().reservationsOfAtLeast(ODD_SIZE)).isEqualTo(reservationsBefore);
    }

    private static List<ProcMaps.Region> regionsOfOddSize() {
        return ProcMaps.read().regions().stream().filter(r -> r.size() == ODD_SIZE).toList();
    }
}
