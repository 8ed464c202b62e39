package org.alignedmmap;

import static org.alignedmmap.MmapConstants.MAP_PRIVATE;
import static org.alignedmmap.MmapConstants.MAP_SHARED;
import static org.alignedmmap.MmapConstants.PROT_EXEC;
import static org.alignedmmap.MmapConstants.PROT_READ;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ReadOnlyBufferException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.alignedmmap.internal.PowerOfTwo;
import org.alignedmmap.internal.linux.LibC;
import org.alignedmmap.testing.Chattr;
import org.alignedmmap.testing.OpenFiles;
import org.alignedmmap.testing.ProcMaps;
import org.alignedmmap.testing.ProcessFootprint;
import org.alignedmmap.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security: memory is never executable unless asked for; a file that may not be written is never
 * mapped writable, and the library holds no write access it was not asked for; nothing is
 * created (no file, no shared memory object, no permission change); a raw descriptor is checked
 * before use and never closed when it is the caller's.
 */
class MmapSecurityTest {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final int O_ACCMODE = 3;

    @TempDir
    Path dir;

    private interface Mapper {
        Mmap map(Path file) throws IOException;
    }

    @Test
    void shouldNeverMapExecutableMemoryUnlessAsked() throws Exception {
        Path file = TestFiles.randomFile(dir, "noexec.bin", (int) (3 * PAGE + 9), 1);
        record Way(String name, Mapper mapper, boolean resizable) {}
        List<Way> ways = List.of(
                new Way("file, default", f -> Mmap.options().map(f), true),
                new Way("file, READ at 1 GiB", f -> Mmap.options().access(Access.READ).align(1L << 30).map(f), false),
                new Way("file, WRITE at 2 MiB", f -> Mmap.options().access(Access.WRITE).align(2L << 20).map(f), true),
                new Way("file, COPY at 64 MiB", f -> Mmap.options().access(Access.COPY).align(64L << 20).map(f), false),
                new Way("file, MAP_PRIVATE and PROT_READ", f -> Mmap.options().flags(MAP_PRIVATE).prot(PROT_READ)
                        .map(f), false),
                new Way("file, untracked", f -> Mmap.options().trackFd(false).align(64L << 20).map(f), false),
                new Way("anonymous, default", f -> Mmap.options().anonymous(5 * PAGE), true),
                new Way("anonymous, COPY at 64 MiB", f -> Mmap.options().access(Access.COPY).align(64L << 20)
                        .anonymous(PAGE), false),
                new Way("anonymous, shared at 1 GiB", f -> Mmap.options().flags(MAP_SHARED).align(1L << 30)
                        .anonymous(PAGE), true));
        for (Way way : ways) {
            ProcMaps before = ProcMaps.read();
            try (Mmap m = way.mapper().map(file)) {
                assertNotExecutable(way.name(), before, m.address(), m.length(), m.alignment());
                if (way.resizable()) {
                    ProcMaps beforeResize = ProcMaps.read();
                    m.resize(40 * PAGE);
                    assertNotExecutable(way.name() + ", resized", beforeResize, m.address(), m.length(),
                            m.alignment());
                }
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            for (long[] request : new long[][] {{PAGE, PAGE}, {5 * PAGE, 2L << 20}, {200_000, 8}, {1, 1L << 30}}) {
                ProcMaps before = ProcMaps.read();
                MemorySegment segment = Aligned.allocate(arena, request[0], request[1]);
                assertNotExecutable("Aligned.allocate(" + request[0] + ", " + request[1] + ")", before,
                        segment.address(), Math.max(1, segment.byteSize()), request[1]);
            }
        }
        // Asked for explicitly, it is there: the check above can see it.
        try (Mmap m = Mmap.options().prot(PROT_READ | PROT_EXEC).map(file)) {
            assertThat(ProcMaps.read().regionAt(m.address()).perms()).startsWith("r-x");
        }
    }

    private static void assertNotExecutable(String what, ProcMaps before, long address, long length, long align) {
        ProcMaps now = ProcMaps.read();
        long span = PowerOfTwo.alignUp(length, PAGE);
        long window = Math.max(align, PAGE);
        for (ProcMaps.Range range : ProcMaps.changed(before, now, address - window, address + span + window)) {
            ProcMaps.Region region = now.regionAt(range.start());
            // Only what appeared where nothing was: the JVM commits pages of its code cache
            // (reserved long before, executable by design) wherever it lies.
            if (region != null && before.regionAt(range.start()) == null) {
                assertThat(region.perms()).as("%s: %s at %s", what, region, range).doesNotContain("x");
            }
        }
        assertThat(now.regionAt(address).perms()).as(what).doesNotContain("x");
    }

    @Test
    void shouldMapAndOpenOnlyWithTheRightsEachAccessNeeds() throws IOException {
        Path file = TestFiles.randomFile(dir, "rights.bin", (int) (2 * PAGE), 2);
        record Expectation(Access access, String perms, int openMode) {}
        for (Expectation e : List.of(new Expectation(Access.READ, "r--s", LibC.O_RDONLY),
                new Expectation(Access.COPY, "rw-p", LibC.O_RDONLY),
                new Expectation(Access.WRITE, "rw-s", LibC.O_RDWR),
                new Expectation(Access.DEFAULT, "rw-s", LibC.O_RDWR))) {
            try (Mmap m = Mmap.options().access(e.access()).map(file)) {
                assertThat(ProcMaps.read().regionAt(m.address()).perms()).as("%s mapping", e.access())
                        .isEqualTo(e.perms());
                List<Integer> kept = descriptorsOf(file);
                assertThat(kept).as("descriptors kept for a %s mapping", e.access()).hasSize(1);
                assertThat(openFlags(kept.getFirst()) & O_ACCMODE).as("open mode of the %s mapping's descriptor",
                        e.access()).isEqualTo(e.openMode());
            }
        }
        // prot without PROT_WRITE opens read-only too, even with MAP_SHARED.
        try (Mmap m = Mmap.options().flags(MAP_SHARED).prot(PROT_READ).map(file)) {
            assertThat(openFlags(descriptorsOf(file).getFirst()) & O_ACCMODE).isEqualTo(LibC.O_RDONLY);
            assertThat(m.segment().isReadOnly()).isTrue();
            assertThat(m.asByteBuffer().isReadOnly()).isTrue();
        }
    }

    @Test
    void shouldNeverMapAFileWritableThatMayNotBeWritten() throws Exception {
        Path file = TestFiles.randomFile(dir, "locked.bin", (int) (2 * PAGE), 3);
        byte[] contents = Files.readAllBytes(file);
        assumeThat(Chattr.run("+i", file)).as("chattr +i needs ext4 and root").isTrue();
        try {
            for (Access access : List.of(Access.WRITE, Access.DEFAULT)) {
                assertThatThrownBy(() -> Mmap.options().access(access).align(2L << 20).map(file))
                        .as("%s", access).isInstanceOf(AccessDeniedException.class).hasMessageContaining("EPERM");
            }
            try (Mmap m = Mmap.options().access(Access.READ).map(file)) {
                assertThat(ProcMaps.read().regionAt(m.address()).perms()).isEqualTo("r--s");
                assertThatThrownBy(() -> m.put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
                assertThatThrownBy(() -> m.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
                assertThatThrownBy(() -> m.asByteBuffer().put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
                assertThatThrownBy(() -> m.resize(PAGE)).isInstanceOf(IllegalStateException.class);
            }
            try (Mmap m = Mmap.options().access(Access.COPY).map(file)) {
                m.put(0, (byte) ~contents[0]);
                m.flush();
            }
            // A descriptor opened read-only before cannot be used for a writable shared mapping either.
            int fd = LibC.open(file.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
            try {
                assertThatThrownBy(() -> Mmap.options().access(Access.WRITE).map(fd))
                        .isInstanceOf(ErrnoException.class).hasMessageContaining("EACCES");
            } finally {
                LibC.close(fd);
            }
        } finally {
            Chattr.run("-i", file);
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(contents);
    }

    @Test
    void shouldCreateNoFileAndChangeNoPermission() throws Exception {
        Path file = TestFiles.randomFile(dir, "private.bin", (int) PAGE, 4);
        Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
        Files.setPosixFilePermissions(file, ownerOnly);
        List<Path> shmBefore = listing(Path.of("/dev/shm"));
        long descriptorsBefore = OpenFiles.count();

        for (Access access : Access.values()) {
            assertThatThrownBy(() -> Mmap.options().access(access).map(dir.resolve("absent.bin")))
                    .isInstanceOf(NoSuchFileException.class);
        }
        try (Mmap m = Mmap.options().align(2L << 20).map(file)) {
            m.resize(10 * PAGE);
            m.put(10 * PAGE - 1, (byte) 1);
            m.resize(PAGE / 2);
        }
        try (Mmap shared = Mmap.options().flags(MAP_SHARED).align(64L << 20).anonymous(1 << 20)) {
            shared.put(0, (byte) 1);
            shared.resize(4 << 20);
            // Shared anonymous memory is no file anyone could open: no descriptor, nothing in /dev/shm.
            assertThat(OpenFiles.count()).isEqualTo(descriptorsBefore);
            assertThat(listing(Path.of("/dev/shm"))).isEqualTo(shmBefore);
        }

        assertThat(listing(dir)).containsExactly(file);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(ownerOnly);
        assertThat(Files.size(file)).isEqualTo(PAGE / 2);
    }

    @Test
    void shouldCheckARawDescriptorBeforeUseAndNeverCloseTheCallers() throws Throwable {
        Path file = TestFiles.randomFile(dir, "raw.bin", (int) (2 * PAGE), 5);
        // Not open: refused before anything is reserved, even for an alignment that reserves 1 TiB.
        int unused = 19_000;
        while (Files.exists(Path.of("/proc/self/fd/" + unused), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            unused--;
        }
        int closed = unused;
        ProcessFootprint.assertNothingLeftBehind(List.of(file), () ->
                assertThatThrownBy(() -> Mmap.options().align(1L << 40).map(closed))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EBADF"));

        int readOnly = LibC.open(file.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        int readWrite = LibC.open(file.toString(), LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        try {
            // Refused by the kernel: the duplicate is closed, the caller's descriptor is not.
            assertThatThrownBy(() -> Mmap.options().access(Access.WRITE).align(64L << 20).map(readOnly))
                    .isInstanceOf(ErrnoException.class);
            assertThatThrownBy(() -> Mmap.options().access(Access.WRITE).trackFd(false).map(readOnly))
                    .isInstanceOf(ErrnoException.class);
            // Mapped and closed, tracked or not.
            for (boolean track : new boolean[] {true, false}) {
                try (Mmap m = Mmap.options().trackFd(track).map(readWrite)) {
                    m.put(0, (byte) 1);
                }
                try (Mmap m = Mmap.options().access(Access.READ).trackFd(track).map(readOnly)) {
                    m.get(0);
                }
            }
            // Both still open, on the same file, with the same access mode.
            assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + readOnly))).isEqualTo(file);
            assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + readWrite))).isEqualTo(file);
            assertThat(openFlags(readOnly) & O_ACCMODE).isEqualTo(LibC.O_RDONLY);
            assertThat(openFlags(readWrite) & O_ACCMODE).isEqualTo(LibC.O_RDWR);
            assertThat(descriptorsOf(file)).containsExactlyInAnyOrder(readOnly, readWrite);
        } finally {
            LibC.close(readOnly);
            LibC.close(readWrite);
        }
    }

    /** The descriptors of this process that point at {@code file}. */
    private static List<Integer> descriptorsOf(Path file) throws IOException {
        List<Integer> fds = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path entry : entries.toList()) {
                try {
                    if (Files.readSymbolicLink(entry).equals(file.toAbsolutePath())) {
                        fds.add(Integer.parseInt(entry.getFileName().toString()));
                    }
                } catch (IOException closedMeanwhile) {
                    // the listing's own descriptor
                }
            }
        }
        return fds;
    }

    /** The open flags of a descriptor, from /proc/self/fdinfo (octal). */
    private static int openFlags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).strip(), 8);
            }
        }
        throw new IllegalStateException("no flags in fdinfo of " + fd);
    }

    private static List<Path> listing(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.sorted().toList();
        }
    }

}
