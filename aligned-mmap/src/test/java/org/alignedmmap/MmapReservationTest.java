package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.alignedmmap.internal.PowerOfTwo;
import org.alignedmmap.testing.ProcMaps;
import org.alignedmmap.testing.ProcMaps.Range;
import org.alignedmmap.testing.ProcessFootprint;
import org.alignedmmap.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reserve-then-trim leaves exactly the page-rounded mapping behind, with /proc/self/maps as the
 * witness. The kernel already places many mappings of 2 MiB or more on 2 MiB boundaries, so the
 * proofs use 64 MiB and 1 GiB alignments with small lengths, many times over.
 */
class MmapReservationTest {
    private static final long PAGE = SystemAlignment.pageSize();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "align={0}")
    @ValueSource(longs = {64L << 20, 1L << 30})
    @SuppressWarnings("try") // closes inside the try on purpose, to witness the unmapping before the block ends
    void shouldLeaveOnlyThePageRoundedMappingAfterTrimming(long align) throws IOException {
        Path file = TestFiles.randomFile(dir, "small.bin", 10_000, 1);
        for (int i = 0; i < 16; i++) {
            ProcMaps before = ProcMaps.read();
            try (Mmap m = (i % 2 == 0 ? Mmap.options().align(align).map(file)
                    : Mmap.options().align(align).anonymous(3 * PAGE + 5))) {
                long span = PowerOfTwo.alignUp(m.length(), PAGE);
                ProcMaps during = ProcMaps.read();
                assertThat(m.address() % align).isZero();
                long windowStart = m.address() - align;
                long windowEnd = m.address() + span + align;
                List<Range> changed = ProcMaps.changed(before, during, windowStart, windowEnd);
                // Merged ranges: a leftover head or tail of the reservation would have widened ours.
                assertThat(changed)
                        .as("address space that changed around the mapping at 0x%x", m.address())
                        .contains(new Range(m.address(), m.address() + span));
                assertThat(reservationsIn(during, changed)).as("PROT_NONE left around the mapping").isEmpty();
                long address = m.address();
                m.close();
                ProcMaps after = ProcMaps.read();
                assertThat(after.anyMapped(address, address + span)).as("mapped after close").isFalse();
                assertThat(reservationsIn(after, ProcMaps.changed(before, after, windowStart, windowEnd)))
                        .as("PROT_NONE left after close").isEmpty();
            }
        }
    }

    @Test
    void shouldPlaceTheNextMappingAtTheAddressJustFreed() throws IOException {
        long align = 1L << 30;
        long first;
        try (Mmap m = Mmap.options().align(align).anonymous(3 * PAGE)) {
            first = m.address();
        }
        try (Mmap m = Mmap.options().align(align).anonymous(5 * PAGE)) {
            // The fast path: one MAP_FIXED_NOREPLACE at the remembered address.
            assertThat(m.address()).isEqualTo(first);
            assertThat(m.address() % align).isZero();
        }
    }

    @Test
    void shouldNotReplaceWhatNowLivesAtAFreedAddress() throws IOException {
        long align = 1L << 30;
        long freed;
        try (Mmap m = Mmap.options().align(align).anonymous(PAGE)) {
            freed = m.address();
        }
        long squatter = org.alignedmmap.internal.linux.LibC.mmap(freed, PAGE, MmapConstants.PROT_READ,
                MmapConstants.MAP_PRIVATE | MmapConstants.MAP_ANONYMOUS | MmapConstants.MAP_FIXED_NOREPLACE, -1, 0);
        try {
            try (Mmap m = Mmap.options().align(align).anonymous(PAGE)) {
                assertThat(m.address()).isNotEqualTo(freed);
                assertThat(m.address() % align).isZero();
            }
            assertThat(ProcMaps.read().regionAt(squatter)).as("the squatter survives").isNotNull();
        } finally {
            org.alignedmmap.internal.linux.LibC.munmap(squatter, PAGE);
        }
    }

    @Test
    void shouldCostNothingExtraAtPageAlignment() throws IOException {
        ProcMaps before = ProcMaps.read();
        try (Mmap m = Mmap.options().align(PAGE).anonymous(5 * PAGE)) {
            ProcMaps during = ProcMaps.read();
            long window = 64L << 20;
            List<Range> changed = ProcMaps.changed(before, during, m.address() - window, m.address() + window);
            assertThat(changed).contains(new Range(m.address(), m.address() + 5 * PAGE));
            assertThat(reservationsIn(during, changed)).isEmpty();
        }
    }

    @Test
    void shouldLeaveNoReservationWhenMappingFails() throws IOException {
        long align = 8L << 30;
        Path file = TestFiles.randomFile(dir, "ro.bin", 10_000, 2);
        int readOnlyFd = readOnlyDescriptor(file);
        try {
            List<ProcMaps.Region> reservationsBefore = ProcMaps.read().reservationsOfAtLeast(align);
            assertThatThrownBy(() -> Mmap.options().access(Access.WRITE).align(align).trackFd(false).map(readOnlyFd))
                    .isInstanceOf(ErrnoException.class)
                    .hasMessageContaining("EACCES")
                    .hasMessageContaining("mmap(");
            assertThat(ProcMaps.read().reservationsOfAtLeast(align)).isEqualTo(reservationsBefore);
        } finally {
            org.alignedmmap.internal.linux.LibC.close(readOnlyFd);
        }
    }

    /**
     * 2^46 (64 TiB) is half of a 47-bit user address space: the reservation for it fits once or
     * not at all. Either way the result is clean: an aligned mapping that leaves nothing behind
     * when closed, or ENOMEM that leaves nothing behind at once; the same for Aligned.
     */
    @Test
    void shouldPlaceOrRefuseA2To46AlignmentLeavingNothingBehind() throws Throwable {
        long align = 1L << 46;
        Path file = TestFiles.randomFile(dir, "far.bin", 10_000, 3);
        ProcessFootprint.assertNothingLeftBehind(List.of(file), () -> {
            for (boolean anonymous : new boolean[] {false, true}) {
                try (Mmap m = anonymous ? Mmap.options().align(align).anonymous(3 * PAGE)
                        : Mmap.options().align(align).map(file)) {
                    assertThat(m.address() % align).isZero();
                    assertThat(ProcMaps.read().reservationsOfAtLeast(align)).isEmpty();
                    m.put(m.length() - 1, (byte) 1);
                } catch (ErrnoException noRoom) {
                    assertThat(noRoom.errnoName()).isEqualTo("ENOMEM");
                    assertThat(noRoom).hasMessageContaining("at align " + align);
                }
            }
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                assertThat(Aligned.allocate(arena, 5 * PAGE, align).address() % align).isZero();
            } catch (OutOfMemoryError noRoom) {
                assertThat(noRoom).hasMessageContaining("ENOMEM").cause().isInstanceOf(ErrnoException.class);
            }
        });
    }

    /**
     * The changed ranges that are now reservations (no access rights). Other JVM threads map and
     * unmap memory while the test runs, so ranges away from the mapping may change; none of them
     * is ever a bare reservation of ours.
     */
    private static List<Range> reservationsIn(ProcMaps snapshot, List<Range> changed) {
        return changed.stream().filter(r -> {
            ProcMaps.Region region = snapshot.regionAt(r.start());
            return region != null && region.perms().startsWith("---") && region.path().isEmpty();
        }).toList();
    }

    static int readOnlyDescriptor(Path file) throws IOException {
        return org.alignedmmap.internal.linux.LibC.open(file.toAbsolutePath().toString(),
                org.alignedmmap.internal.linux.LibC.O_RDONLY | org.alignedmmap.internal.linux.LibC.O_CLOEXEC, 0);
    }
}
