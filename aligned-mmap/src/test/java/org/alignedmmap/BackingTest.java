package org.alignedmmap;

import static org.alignedmmap.MmapConstants.MAP_POPULATE;
import static org.alignedmmap.MmapConstants.MAP_PRIVATE;
import static org.alignedmmap.MmapConstants.MAP_SHARED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.alignedmmap.testing.Skips;
import org.alignedmmap.testing.TestFiles;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * backing() and residency() as witnesses, and populate(true) proved with them: what is resident
 * before and after, which pages were copied, what a range that cuts a VMA reports, and refusals
 * on closed mappings and heap memory.
 */
class BackingTest {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "flags={0}")
    @ValueSource(ints = {MAP_SHARED, MAP_PRIVATE})
    void shouldReportAnonymousMemoryResidentOnlyOncePopulated(int flags) throws IOException {
        long length = 16 * MIB;
        // mincore is exact for any range; smaps only where the kernel did not merge the mapping
        // with a neighbour (two private ones side by side merge into one VMA).
        try (Mmap plain = Mmap.options().flags(flags).anonymous(length);
             Mmap populated = Mmap.options().flags(flags).populate(true).anonymous(length)) {
            assertThat(plain.residency()).isEqualTo(new Residency(0, length / PAGE, PAGE));
            Backing plainBacking = plain.backing();
            if (plainBacking.exact()) {
                assertThat(plainBacking.rss()).isZero();
            }

            assertThat(populated.flags() & MAP_POPULATE).isNotZero();
            Residency residency = populated.residency();
            assertThat(residency.isFullyResident()).as("%s", residency).isTrue();
            assertThat(residency.residentBytes()).isEqualTo(length);
            assertThat(populated.backing().rss()).isGreaterThanOrEqualTo(length);
            assertThat(plain.residency().residentPages()).as("the neighbour untouched").isZero();
            assertThat(populated.get(length - 1)).isZero();
        }
    }

    @Test
    void shouldPopulateTransparentMemoryWithHugePagesWithoutATouch() throws IOException {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        long huge = HugePages.TRANSPARENT.pageSize();
        long length = 32 * huge;
        try (Mmap m = Mmap.options().hugePages(HugePages.TRANSPARENT).populate(true).anonymous(length)) {
            assertThat(m.flags() & MAP_POPULATE).as("populated after the advice, not by mmap").isZero();
            assertThat(m.residency().isFullyResident()).isTrue();
            assertThat(m.backing().anonHugePages()).as("%s", m.backing()).isGreaterThanOrEqualTo(length / 10 * 9);
        }
    }

    @Test
    void shouldPopulateACopyOnWriteFileWithoutCopyingIt() throws IOException {
        long length = 4 * MIB;
        byte[] data = TestFiles.randomBytes((int) length, 51);
        Path file = Files.write(dir.resolve("cow.bin"), data);
        try (Mmap m = Mmap.options().access(Access.COPY).populate(true).map(file)) {
            Backing backing = m.backing();
            assertThat(backing.rss()).as("mapped in: %s", backing).isEqualTo(length);
            assertThat(backing.anonymous()).as("private copies").isZero();
            m.put(0, (byte) (data[0] + 1));
            assertThat(m.backing().anonymous()).as("a write copies one page").isEqualTo(PAGE);
        }
        // Why not MAP_POPULATE: it faults a private writable mapping in for writing.
        try (Mmap m = Mmap.options().flags(MAP_PRIVATE | MAP_POPULATE).map(file)) {
            assertThat(m.backing().anonymous()).as("copies made by MAP_POPULATE").isEqualTo(length);
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(data);
    }

    @Test
    void shouldPopulateASharedFileMapping() throws IOException {
        long length = 4 * MIB + 5;
        Path file = TestFiles.randomFile(dir, "shared.bin", (int) length, 52);
        try (Mmap m = Mmap.options().populate(true).map(file)) {
            assertThat(m.flags() & MAP_POPULATE).isNotZero();
            assertThat(m.backing().rss()).isEqualTo(SystemAlignment.pageSize() * ((length + PAGE - 1) / PAGE));
            assertThat(m.residency().isFullyResident()).isTrue();
        }
    }

    @Test
    void shouldPopulateWhatAResizeAdds() throws IOException {
        try (Mmap m = Mmap.options().flags(MAP_PRIVATE).populate(true).anonymous(4 * PAGE)) {
            m.resize(64 * PAGE);
            assertThat(m.residency().isFullyResident()).as("%s", m.residency()).isTrue();
        }
    }

    @Test
    void shouldMarkARangeThatCutsAVmaAsInexact() throws IOException {
        try (Mmap m = Mmap.options().flags(MAP_PRIVATE).anonymous(16 * PAGE)) {
            m.put(0, (byte) 1);
            m.put(3 * PAGE, (byte) 1);
            Backing whole = m.backing();
            Backing part = Backing.of(m.segment().asSlice(PAGE + 1, 10));
            assertThat(part.address()).isEqualTo(m.address() + PAGE);
            assertThat(part.size()).isEqualTo(PAGE);
            assertThat(part.exact()).isFalse();
            assertThat(part.vmaSize()).isGreaterThanOrEqualTo(16 * PAGE);
            if (whole.exact()) {
                assertThat(whole.vmaSize()).isEqualTo(16 * PAGE);
                assertThat(whole.rss()).isEqualTo(2 * PAGE);
                assertThat(part.rss()).as("the whole VMA's counters").isEqualTo(2 * PAGE);
            }
            Residency partResidency = Residency.of(m.segment().asSlice(PAGE + 1, 10));
            assertThat(partResidency).isEqualTo(new Residency(0, 1, PAGE));
            assertThat(Residency.of(m.segment().asSlice(3 * PAGE, PAGE + 1))).isEqualTo(new Residency(1, 2, PAGE));
            assertThat(Residency.of(m.segment().asSlice(0, 0))).isEqualTo(new Residency(0, 0, PAGE));
        }
    }

    @Test
    void shouldRefuseHeapSegments() {
        MemorySegment heap = MemorySegment.ofArray(new byte[8]);
        assertThatThrownBy(() -> Backing.of(heap)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("segment is a heap segment");
        assertThatThrownBy(() -> Residency.of(heap)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("segment is a heap segment");
    }

    @Test
    void shouldRefuseClosedMappingsAndDeadSegments() throws IOException {
        Mmap m = Mmap.options().anonymous(PAGE);
        MemorySegment segment = m.segment();
        m.close();
        assertThatThrownBy(m::backing).isInstanceOf(IllegalStateException.class).hasMessage("mmap closed or invalid");
        assertThatThrownBy(m::residency).isInstanceOf(IllegalStateException.class).hasMessage("mmap closed or invalid");
        assertThatThrownBy(m::lock).isInstanceOf(IllegalStateException.class).hasMessage("mmap closed or invalid");
        assertThatThrownBy(m::unlock).isInstanceOf(IllegalStateException.class).hasMessage("mmap closed or invalid");
        assertThatThrownBy(() -> Backing.of(segment)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("segment's arena is already closed");
        assertThatThrownBy(() -> Residency.of(segment)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("segment's arena is already closed");

        Arena arena = Arena.ofShared();
        Mmap bound = Mmap.options().arena(arena).anonymous(PAGE);
        arena.close();
        assertThatThrownBy(bound::backing).isInstanceOf(IllegalStateException.class).hasMessageContaining("arena");
        assertThatThrownBy(bound::residency).isInstanceOf(IllegalStateException.class).hasMessageContaining("arena");
        assertThatThrownBy(bound::lock).isInstanceOf(IllegalStateException.class).hasMessageContaining("arena");
        bound.close();
    }

    @Test
    void shouldRefuseOtherThreadsOnAConfinedMapping() throws Exception {
        try (Mmap m = Mmap.options().confined(true).anonymous(PAGE)) {
            List<Throwable> thrown = new ArrayList<>();
            Thread other = Thread.ofPlatform().start(() -> {
                for (ThrowingCallable call : List.<ThrowingCallable>of(m::backing, m::residency, m::lock, m::unlock)) {
                    try {
                        call.call();
                    } catch (Throwable t) {
                        thrown.add(t);
                    }
                }
            });
            other.join();
            assertThat(thrown).hasSize(4).allMatch(t -> t instanceof WrongThreadException);
            assertThat(m.backing().size()).isEqualTo(PAGE);
        }
    }
}
