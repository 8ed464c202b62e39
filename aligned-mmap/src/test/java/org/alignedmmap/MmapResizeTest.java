package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.alignedmmap.internal.PowerOfTwo;
import org.alignedmmap.internal.linux.LibC;
import org.alignedmmap.testing.Chattr;
import org.alignedmmap.testing.ProcMaps;
import org.alignedmmap.testing.ProcessFootprint;
import org.alignedmmap.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** resize(): alignment kept, contents kept, file resized, old views dead, failures harmless. */
class MmapResizeTest {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final long ALIGN = 64L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldKeepAlignmentAndContentsWhenGrowingMustMove() throws IOException {
        byte[] data = TestFiles.randomBytes((int) (3 * PAGE + 17), 21);
        Path file = Files.write(dir.resolve("grow.bin"), data);
        try (Mmap m = Mmap.options().align(ALIGN).map(file)) {
            long before = m.address();
            long span = PowerOfTwo.alignUp(m.length(), PAGE);
            // Occupy the page right behind the mapping: growing in place becomes impossible.
            long blocker = LibC.mmap(before + span, PAGE, MmapConstants.PROT_READ,
                    MmapConstants.MAP_PRIVATE | MmapConstants.MAP_ANONYMOUS | MmapConstants.MAP_FIXED_NOREPLACE, -1, 0);
            try {
                assertThat(blocker).isEqualTo(before + span);
                m.resize(10 * PAGE + 3);
                assertThat(m.address()).isNotEqualTo(before);
                assertThat(m.address() % ALIGN).isZero();
                assertThat(m.length()).isEqualTo(10 * PAGE + 3);
                assertThat(m.getBytes(0, data.length)).isEqualTo(data);
                assertThat(m.getBytes(data.length, (int) (10 * PAGE + 3 - data.length)))
                        .containsOnly((byte) 0);
                m.put(10 * PAGE + 2, (byte) 9);
                m.flush();
                assertThat(Files.size(file)).isEqualTo(10 * PAGE + 3);
                assertThat(m.fileSize()).isEqualTo(10 * PAGE + 3);
                assertThat(Files.readAllBytes(file)[(int) (10 * PAGE + 2)]).isEqualTo((byte) 9);
                assertThat(ProcMaps.read().anyMapped(before, before + span)).as("old place unmapped").isFalse();
            } finally {
                LibC.munmap(blocker, PAGE);
            }
        }
    }

    @Test
    void shouldKeepAddressWhenShrinkingAndTruncateTheFile() throws IOException {
        byte[] data = TestFiles.randomBytes((int) (8 * PAGE), 22);
        Path file = Files.write(dir.resolve("shrink.bin"), data);
        try (Mmap m = Mmap.options().align(ALIGN).offset(PAGE).map(file)) {
            long address = m.address();
            m.resize(PAGE + 5);
            assertThat(m.address()).isEqualTo(address);
            assertThat(m.length()).isEqualTo(PAGE + 5);
            assertThat(m.getBytes(0, (int) (PAGE + 5))).isEqualTo(Arrays.copyOfRange(data, (int) PAGE, (int) (2 * PAGE
                    + 5)));
            assertThat(Files.size(file)).isEqualTo(2 * PAGE + 5);
            assertThat(ProcMaps.read().anyMapped(address + 2 * PAGE, address + 7 * PAGE)).isFalse();
        }
    }

    @Test
    void shouldEndViewsTakenBeforeTheResize() throws IOException {
        Path file = TestFiles.randomFile(dir, "views.bin", (int) (2 * PAGE), 23);
        try (Mmap m = Mmap.options().map(file)) {
            MemorySegment segment = m.segment();
            ByteBuffer buffer = m.asByteBuffer();
            m.resize(4 * PAGE);
            assertThatThrownBy(() -> segment.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> buffer.get(0)).isInstanceOf(IllegalStateException.class);
            assertThat(m.segment().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo(Files.readAllBytes(file)[0]);
        }
    }

    @Test
    void shouldLeaveMappingAndFileIntactWhenTheFileSystemRefuses() throws IOException {
        byte[] data = TestFiles.randomBytes((int) (2 * PAGE + 1), 24);
        Path file = Files.write(dir.resolve("refused.bin"), data);
        try (Mmap m = Mmap.options().align(ALIGN).map(file)) {
            long address = m.address();
            MemorySegment old = m.segment();
            // Far beyond any file system's maximum file size (ext4: 16 TiB): EFBIG or EINVAL.
            assertThatThrownBy(() -> m.resize(1L << 60))
                    .isInstanceOf(ErrnoException.class)
                    .hasMessageContaining("ftruncate");
            assertThat(m.isOpen()).isTrue();
            assertThat(m.address()).isEqualTo(address);
            assertThat(m.length()).isEqualTo(data.length);
            assertThat(m.getBytes(0, data.length)).isEqualTo(data);
            assertThat(Files.readAllBytes(file)).isEqualTo(data);
            assertThatThrownBy(() -> old.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
            m.put(0, (byte) 1);
        }
    }

    @Test
    void shouldLeaveAnonymousMemoryIntactWhenAddressSpaceRunsOut() throws IOException {
        try (Mmap m = Mmap.options().align(ALIGN).anonymous(PAGE)) {
            m.put(5, (byte) 5);
            long address = m.address();
            assertThatThrownBy(() -> m.resize(1L << 60)).isInstanceOf(ErrnoException.class)
                    .hasMessageContaining("ENOMEM");
            assertThat(m.address()).isEqualTo(address);
            assertThat(m.get(5)).isEqualTo((byte) 5);
        }
    }

    @Test
    void shouldLeaveMappingAndFileIntactWhenAnImmutableFileRefusesToGrow() throws Throwable {
        byte[] data = TestFiles.randomBytes((int) (5 * PAGE + 3), 27);
        Path file = Files.write(dir.resolve("immutable-grow.bin"), data);
        try (Mmap m = Mmap.options().align(ALIGN).map(file)) {
            m.put(5 * PAGE, (byte) ~data[(int) (5 * PAGE)]);
            data[(int) (5 * PAGE)] = (byte) ~data[(int) (5 * PAGE)];
            long address = m.address();
            try (Immutable immutable = Immutable.of(file)) {
                ProcessFootprint.assertNothingLeftBehind(List.of(immutable.file()), () ->
                        assertThatThrownBy(() -> m.resize(20 * PAGE)).isInstanceOf(ErrnoException.class)
                                .hasMessageContaining("ftruncate").hasMessageContaining("EPERM"));
            }
            assertThat(m.address()).isEqualTo(address);
            assertThat(m.length()).isEqualTo(data.length);
            assertThat(m.getBytes(0, data.length)).isEqualTo(data);
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(data);
    }

    @Test
    void shouldRestoreTheMappingWhenAnImmutableFileRefusesToShrink() throws Throwable {
        // Shrinking remaps first (the tail pages go) and truncates the file last; the refusal then
        // grows the mapping back over the same file pages, unflushed writes in the tail included.
        byte[] data = TestFiles.randomBytes((int) (9 * PAGE + 3), 28);
        Path file = Files.write(dir.resolve("immutable-shrink.bin"), data);
        try (Mmap m = Mmap.options().align(ALIGN).map(file)) {
            int tail = (int) (8 * PAGE + 1);
            m.put(tail, (byte) ~data[tail]);
            data[tail] = (byte) ~data[tail];
            m.seek(7 * PAGE);
            try (Immutable immutable = Immutable.of(file)) {
                ProcessFootprint.assertNothingLeftBehind(List.of(immutable.file()), () ->
                        assertThatThrownBy(() -> m.resize(2 * PAGE)).isInstanceOf(ErrnoException.class)
                                .hasMessageContaining("ftruncate").hasMessageContaining("EPERM"));
            }
            assertThat(m.address() % ALIGN).isZero();
            assertThat(m.length()).isEqualTo(data.length);
            assertThat(m.position()).isEqualTo(7 * PAGE);
            assertThat(m.getBytes(0, data.length)).isEqualTo(data);
            m.flush();
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(data);
    }

    @Test
    void shouldShrinkTheFileBackWhenTheGrownMappingFindsNoAddressSpace() throws Throwable {
        // At a 2^46 alignment a second reservation of 64 TiB for the moved mapping does not fit
        // in a 47-bit address space next to the first: the file has already grown by then and
        // must be shrunk back.
        long huge = 1L << 46;
        byte[] data = TestFiles.randomBytes((int) (2 * PAGE + 5), 29);
        Path file = Files.write(dir.resolve("no-room.bin"), data);
        Mmap m;
        try {
            m = Mmap.options().align(huge).map(file);
        } catch (ErrnoException noRoomEvenOnce) {
            assumeThat(noRoomEvenOnce.errnoName()).isEqualTo("ENOMEM");
            throw new org.opentest4j.TestAbortedException("no address space for a 2^46 alignment here at all");
        }
        try (m) {
            long address = m.address();
            long span = PowerOfTwo.alignUp(m.length(), PAGE);
            long blocker = LibC.mmap(address + span, PAGE, MmapConstants.PROT_READ,
                    MmapConstants.MAP_PRIVATE | MmapConstants.MAP_ANONYMOUS | MmapConstants.MAP_FIXED_NOREPLACE, -1, 0);
            try {
                Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> m.resize(100 * PAGE));
                assumeThat(thrown).as("the address space had room for a second 2^46 reservation").isNotNull();
                assertThat(thrown).isInstanceOf(ErrnoException.class).hasMessageContaining("ENOMEM")
                        .hasMessageContaining("at align " + huge);
                assertThat(Files.size(file)).as("the file shrunk back").isEqualTo(data.length);
                assertThat(m.address()).isEqualTo(address);
                assertThat(m.length()).isEqualTo(data.length);
                assertThat(m.getBytes(0, data.length)).isEqualTo(data);
                assertThat(ProcMaps.read().reservationsOfAtLeast(huge)).as("reservations left").isEmpty();
            } finally {
                LibC.munmap(blocker, PAGE);
            }
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(data);
    }

    /** chattr +i for the length of a try block: even root can then neither write nor truncate the file. */
    private record Immutable(Path file) implements AutoCloseable {
        static Immutable of(Path file) throws Exception {
            assumeThat(Chattr.run("+i", file)).as("chattr +i needs ext4 and root").isTrue();
            return new Immutable(file);
        }

        @Override
        public void close() throws IOException {
            try {
                Chattr.run("-i", file);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while clearing chattr +i of " + file, e);
            }
        }

    }

    @ParameterizedTest
    @EnumSource(value = Access.class, names = {"READ", "COPY"})
    void shouldRefuseToResizeReadOnlyAndCopyOnWriteMappings(Access access) throws IOException {
        byte[] data = TestFiles.randomBytes(100, 25);
        Path file = Files.write(dir.resolve("ro.bin"), data);
        try (Mmap m = Mmap.options().access(access).map(file)) {
            assertThatThrownBy(() -> m.resize(200)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("readonly or copy-on-write");
            assertThat(m.length()).isEqualTo(100);
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(data);
    }

    @Test
    void shouldRefuseToResizeWithoutDescriptorOrWithCallersArena() throws IOException {
        Path file = TestFiles.randomFile(dir, "nofd.bin", 100, 26);
        try (Mmap m = Mmap.options().trackFd(false).map(file)) {
            assertThatThrownBy(() -> m.resize(200)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("trackFd(false)");
        }
        try (Arena arena = Arena.ofShared(); Mmap m = Mmap.options().arena(arena).map(file)) {
            assertThatThrownBy(() -> m.resize(200)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("caller's arena");
        }
        assertThat(Files.size(file)).isEqualTo(100);
    }

    @Test
    void shouldGrowSharedAnonymousMemoryWithoutFaults() throws IOException {
        try (Mmap m = Mmap.options().align(ALIGN).anonymous(PAGE)) {
            m.put(7, (byte) 7);
            m.resize(5 * PAGE);
            assertThat(m.address() % ALIGN).isZero();
            assertThat(m.get(7)).isEqualTo((byte) 7);
            assertThat(m.get(5 * PAGE - 1)).isZero();
            m.put(5 * PAGE - 1, (byte) 1);
            assertThat(m.get(5 * PAGE - 1)).isEqualTo((byte) 1);
        }
    }

    @Test
    void shouldGrowPrivateAnonymousMemory() throws IOException {
        try (Mmap m = Mmap.options().flags(MmapConstants.MAP_PRIVATE).align(ALIGN).anonymous(3 * PAGE)) {
            m.put(0, (byte) 3);
            m.resize(300 * PAGE);
            assertThat(m.address() % ALIGN).isZero();
            assertThat(m.get(0)).isEqualTo((byte) 3);
            m.put(300 * PAGE - 1, (byte) 4);
            m.resize(PAGE);
            assertThat(m.length()).isEqualTo(PAGE);
            assertThat(m.get(0)).isEqualTo((byte) 3);
        }
    }

    @Test
    void shouldRejectNonPositiveLength() throws IOException {
        try (Mmap m = Mmap.options().anonymous(PAGE)) {
            assertThatThrownBy(() -> m.resize(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("new size out of range").hasMessageContaining("was 0");
            assertThatThrownBy(() -> m.resize(-1)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
