package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.alignedmmap.testing.Gc;
import org.alignedmmap.testing.OpenFiles;
import org.alignedmmap.testing.ProcMaps;
import org.alignedmmap.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Close, views after close, caller arenas and release by the garbage collector. */
class MmapLifetimeTest {
    private static final long PAGE = SystemAlignment.pageSize();

    @TempDir
    Path dir;

    @Test
    void shouldMakeEveryMethodAndEarlierViewThrowAfterClose() throws IOException {
        Mmap m = Mmap.options().align(2L << 20).anonymous(3 * PAGE);
        MemorySegment segment = m.segment();
        ByteBuffer buffer = m.asByteBuffer();
        ByteBuffer window = m.asByteBuffer(PAGE, 16);
        segment.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        m.close();

        assertThat(m.isOpen()).isFalse();
        assertThatThrownBy(m::address).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(m::length).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(m::segment).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(m::asByteBuffer).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> segment.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> buffer.get(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> window.put(0, (byte) 1)).isInstanceOf(IllegalStateException.class);
        assertThat(m.toString()).contains("closed");
    }

    @Test
    void shouldCloseIdempotently() throws IOException {
        Mmap m = Mmap.options().anonymous(PAGE);
        long address = m.address();
        m.close();
        m.close();
        assertThat(ProcMaps.read().anyMapped(address, address + PAGE)).isFalse();
    }

    @Test
    void shouldKeepMemoryOfCallerArenaUntilTheArenaCloses() throws IOException {
        Path file = TestFiles.randomFile(dir, "arena.bin", (int) (2 * PAGE), 3);
        long address;
        MemorySegment segment;
        try (Arena arena = Arena.ofShared()) {
            Mmap m = Mmap.options().arena(arena).align(64L << 20).map(file);
            address = m.address();
            segment = m.segment();
            assertThat(segment.scope()).isEqualTo(arena.scope());
            m.close();
            assertThat(m.isOpen()).isFalse();
            assertThatThrownBy(m::segment).isInstanceOf(IllegalStateException.class);
            // The arena still owns the memory, and the view still works.
            assertThat(segment.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo(Files.readAllBytes(file)[0]);
            assertThat(ProcMaps.read().anyMapped(address, address + 2 * PAGE)).isTrue();
            assertThat(OpenFiles.descriptorsOf(file)).isZero();
        }
        assertThat(ProcMaps.read().anyMapped(address, address + 2 * PAGE)).isFalse();
        assertThatThrownBy(() -> segment.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRefuseAClosedArena() {
        Arena arena = Arena.ofConfined();
        arena.close();
        long fdsBefore = OpenFiles.count();
        assertThatThrownBy(() -> Mmap.options().arena(arena).anonymous(PAGE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("arena")
                .hasMessageContaining("closed");
        assertThat(OpenFiles.count()).isEqualTo(fdsBefore);
    }

    @Test
    void shouldConfineAConfinedMappingToItsThread() throws Exception {
        Mmap m = Mmap.options().confined(true).align(64L << 20).anonymous(PAGE);
        long address = m.address();
        m.put(0, (byte) 1);
        java.util.concurrent.atomic.AtomicReference<Throwable> fromOther = new java.util.concurrent.atomic
                .AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                m.get(0);
            } catch (Throwable t) {
                fromOther.set(t);
            }
            try {
                m.close();
            } catch (Throwable t) {
                fromOther.compareAndSet(null, t);
            }
        });
        other.start();
        other.join();
        assertThat(fromOther.get()).isInstanceOf(WrongThreadException.class);
        assertThat(m.isOpen()).as("a refused close leaves the mapping open").isTrue();
        assertThat(m.get(0)).isEqualTo((byte) 1);
        m.close();
        assertThat(ProcMaps.read().anyMapped(address, address + PAGE)).isFalse();
    }

    @Test
    void shouldReleaseMappingOfAnAutoArenaOnGc() throws Exception {
        long address = mapInAutoArena();
        assertThat(Gc.eventually(() -> !ProcMaps.read().anyMapped(address, address + PAGE)))
                .as("auto-arena mapping at 0x%x released after GC", address).isTrue();
    }

    @Test
    void shouldReleaseUnclosedMappingOnGc() throws Exception {
        long address = mapAndForget();
        assertThat(Gc.eventually(() -> !ProcMaps.read().anyMapped(address, address + PAGE)))
                .as("forgotten mapping at 0x%x released after GC", address).isTrue();
    }

    @Test
    void shouldNotReleaseWhileOnlyAViewIsReachable() throws Exception {
        MemorySegment view = viewOfForgottenMapping();
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(ProcMaps.read().anyMapped(view.address(), view.address() + PAGE)).isTrue();
        view.set(ValueLayout.JAVA_BYTE, 0, (byte) 3);
        assertThat(view.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 3);
    }

    private static long mapInAutoArena() throws IOException {
        Mmap m = Mmap.options().arena(Arena.ofAuto()).align(64L << 20).anonymous(PAGE);
        m.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        return m.address();
    }

    private static long mapAndForget() throws IOException {
        Mmap m = Mmap.options().align(64L << 20).anonymous(PAGE);
        return m.address();
    }

    private static MemorySegment viewOfForgottenMapping() throws IOException {
        return Mmap.options().anonymous(PAGE).segment();
    }
}
