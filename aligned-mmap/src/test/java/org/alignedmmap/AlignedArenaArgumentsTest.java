package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.function.Supplier;
import org.alignedmmap.testing.ProcessFootprint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad arguments give the exception types the JDK's own arenas give (each case is run on a JDK 25
 * {@code Arena.ofConfined()} as well, and must throw the same type), with messages that name the
 * values; and a refused allocation leaves nothing mapped.
 */
class AlignedArenaArgumentsTest {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final long MIB = 1L << 20;

    @ParameterizedTest(name = "allocate({0}, {1})")
    @CsvSource({
            // alignment not a power of two
            "10, 3", "10, 0", "10, -8", "0, 6", "4096, 4097", "1, -9223372036854775808", "1, 4611686018427387905",
            // negative size
            "-1, 8", "-9223372036854775808, 1", "-1, 3",
            // size + alignment overflows a long
            "9223372036854775807, 8", "9223372036854775807, 4096", "9223372036854775707, 1",
            "4611686018427387904, 4611686018427387904", "9223372036854771712, 4096",
            // more than any address space
            "1125899906842624, 1", "1125899906842624, 1048576"})
    void shouldThrowWhatTheJdksArenaThrowsNamingTheValues(long size, long align) throws Throwable {
        Class<? extends Throwable> jdk = thrownBy(Arena::ofConfined, size, align);
        for (Supplier<Arena> kind : List.<Supplier<Arena>>of(AlignedArena::ofConfined, AlignedArena::ofShared)) {
            ProcessFootprint.assertNothingLeftBehind(List.of(), () -> {
                try (Arena arena = kind.get()) {
                    Throwable thrown = catchThrowable(() -> arena.allocate(size, align));
                    assertThat(thrown).as("allocate(%d, %d) on %s", size, align, arena).isNotNull();
                    assertThat(thrown.getClass()).as("what the JDK's arena throws").isEqualTo(jdk);
                    assertThat(thrown.getMessage()).contains(String.valueOf(size), String.valueOf(align));
                    // Still usable: the refusal changed nothing.
                    assertThat(arena.allocate(8, 8).byteSize()).isEqualTo(8);
                }
            });
        }
    }

    @Test
    void shouldNameTheSizeAndTheAlignmentInEveryMessage() {
        try (AlignedArena arena = AlignedArena.ofConfined()) {
            assertThatThrownBy(() -> arena.allocate(-5, 64)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("size must be >= 0, was -5").hasMessageContaining("64");
            assertThatThrownBy(() -> arena.allocate(100, 48)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("power of two").hasMessageContaining("48").hasMessageContaining("100");
            assertThatThrownBy(() -> arena.allocate(Long.MAX_VALUE, 8)).isInstanceOf(OutOfMemoryError.class)
                    .hasMessageContaining(String.valueOf(Long.MAX_VALUE)).hasMessageContaining("alignment 8")
                    .hasMessageContaining("overflows");
            Throwable noAddressSpace = catchThrowable(() -> arena.allocate(1L << 50, 1));
            assertThat(noAddressSpace).isInstanceOf(OutOfMemoryError.class)
                    .hasMessageContaining(String.valueOf(1L << 50)).hasCauseInstanceOf(ErrnoException.class);
            assertThat(((ErrnoException) noAddressSpace.getCause()).errnoName()).isEqualTo("ENOMEM");
        }
    }

    @Test
    void shouldCheckArgumentsBeforeTheStateAsTheJdkDoes() {
        for (Supplier<Arena> kind : List.<Supplier<Arena>>of(Arena::ofConfined, AlignedArena::ofConfined)) {
            Arena arena = kind.get();
            arena.close();
            assertThatThrownBy(() -> arena.allocate(8, 3)).as("%s", arena).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> arena.allocate(-1, 8)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> arena.allocate(8, 8)).isInstanceOf(IllegalStateException.class);
        }
        AlignedArena closed = AlignedArena.ofShared();
        closed.close();
        assertThatThrownBy(() -> closed.allocate(24, 8)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed").hasMessageContaining("24").hasMessageContaining("8");
    }

    @Test
    void shouldRefuseAllocationsBeyondTheCapWithOutOfMemoryErrorAndKeepServingThoseBelow() throws Throwable {
        long cap = 6 * MIB + 3 * PAGE;
        ProcessFootprint.assertNothingLeftBehind(List.of(), () -> {
            try (AlignedArena arena = AlignedArena.builder().maxReserved(cap).shared()) {
                assertThatThrownBy(() -> arena.allocate(7 * MIB, 8)).isInstanceOf(OutOfMemoryError.class)
                        .hasMessageContaining("maxReserved " + cap).hasMessageContaining(String.valueOf(7 * MIB));
                assertThat(arena.reservedBytes()).isZero();
                long total = 0;
                while (true) {
                    Throwable refused = catchThrowable(() -> arena.allocate(200_000, 64));
                    assertThat(arena.reservedBytes()).as("reserved under the cap").isLessThanOrEqualTo(cap);
                    if (refused != null) {
                        assertThat(refused).isInstanceOf(OutOfMemoryError.class).hasMessageContaining("maxReserved");
                        break;
                    }
                    total += 200_000;
                }
                // Chunks shrink to what the cap leaves, so nearly all of it serves allocations.
                assertThat(total).as("bytes allocated under a cap of %d", cap).isGreaterThan(cap - 2 * 200_000 - MIB);
                // What still fits is still served.
                assertThat(arena.allocate(8, 8).byteSize()).isEqualTo(8);
            }
        });
    }

    @Test
    void shouldRefuseBadBuilderArgumentsNamingTheValues() {
        assertThatThrownBy(() -> AlignedArena.builder().chunkSize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chunkSize").hasMessageContaining("was 0");
        assertThatThrownBy(() -> AlignedArena.builder().chunkSize(-4096)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-4096");
        assertThatThrownBy(() -> AlignedArena.builder().chunkSize(Long.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(Long.MAX_VALUE));
        assertThatThrownBy(() -> AlignedArena.builder().maxReserved(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxReserved").hasMessageContaining("was 0");
        if (HugePages.TRANSPARENT.isAvailable()) {
            assertThat(AlignedArena.builder().transparentHugePages(true).toString())
                    .contains("transparentHugePages=true");
        } else {
            assertThatThrownBy(() -> AlignedArena.builder().transparentHugePages(true))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining(HugePages.TRANSPARENT.unavailableReason().orElseThrow());
        }
    }

    private static Class<? extends Throwable> thrownBy(Supplier<Arena> kind, long size, long align) {
        try (Arena arena = kind.get()) {
            Throwable thrown = catchThrowable(() -> arena.allocate(size, align));
            assertThat(thrown).as("the JDK's arena refuses allocate(%d, %d)", size, align).isNotNull();
            return thrown.getClass();
        }
    }

    /** Catches errors too: an OutOfMemoryError escaping a test would end surefire's JVM. */
    private static Throwable catchThrowable(Runnable call) {
        try {
            call.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }
}
