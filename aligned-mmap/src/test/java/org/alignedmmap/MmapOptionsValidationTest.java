package org.alignedmmap;

import static org.alignedmmap.MmapConstants.MAP_ANONYMOUS;
import static org.alignedmmap.MmapConstants.MAP_FIXED;
import static org.alignedmmap.MmapConstants.MAP_PRIVATE;
import static org.alignedmmap.MmapConstants.MAP_SHARED;
import static org.alignedmmap.MmapConstants.PROT_READ;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.alignedmmap.testing.Chattr;
import org.alignedmmap.testing.OpenFiles;
import org.alignedmmap.testing.TestFiles;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad arguments: each is refused with a message naming the parameter and its value, and leaves
 * no descriptor and no file change behind.
 */
class MmapOptionsValidationTest {
    private static final long PAGE = SystemAlignment.pageSize();

    @TempDir
    Path dir;
    Path file;
    byte[] contents;
    long fdsBefore;

    @BeforeEach
    void setUp() throws IOException {
        contents = TestFiles.randomBytes((int) (3 * PAGE + 100), 8);
        file = Files.write(dir.resolve("data.bin"), contents);
        fdsBefore = OpenFiles.count();
    }

    @AfterEach
    void nothingLeftBehind() throws IOException {
        assertThat(OpenFiles.count()).as("open descriptors").isEqualTo(fdsBefore);
        assertThat(Files.readAllBytes(file)).isEqualTo(contents);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 3, -8, 6, Long.MIN_VALUE, (1L << 62) + 1})
    void shouldRejectAlignThatIsNotAPowerOfTwo(long align) {
        assertThatThrownBy(() -> Mmap.options().align(align))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("align must be a power of two >= 1, was " + align);
    }

    @Test
    void shouldRejectNegativeLength() {
        assertThatThrownBy(() -> Mmap.options().length(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length").hasMessageContaining("-1");
    }

    @Test
    void shouldRejectNegativeOffset() {
        assertThatThrownBy(() -> Mmap.options().offset(-PAGE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset").hasMessageContaining("-"
                        + PAGE);
    }

    @Test
    void shouldRejectOffsetOffTheGranularity() {
        assertThatThrownBy(() -> Mmap.options().offset(100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset must be a multiple of the allocation granularity " + PAGE)
                .hasMessageContaining("was 100");
    }

    @Test
    void shouldRejectOffsetPastEndOfFile() {
        expectIllegal(() -> Mmap.options().offset(4 * PAGE).map(file), "offset " + 4 * PAGE, "size " + contents.length);
    }

    @Test
    void shouldRejectOffsetAtEndWithLengthZero() {
        Path exact = writeFile("exact.bin", (int) PAGE);
        expectIllegal(() -> Mmap.options().offset(PAGE).map(exact), "offset " + PAGE, "at or past the end");
    }

    @Test
    void shouldRejectLengthPastEndOfFile() {
        expectIllegal(() -> Mmap.options().length(contents.length + 1).map(file),
                "length " + (contents.length + 1), "past the end");
        expectIllegal(() -> Mmap.options().offset(PAGE).length(contents.length).map(file),
                "offset " + PAGE + " + length " + contents.length, "size " + contents.length);
    }

    @Test
    void shouldRejectEmptyFileWithLengthZero() {
        Path empty = writeFile("empty.bin", 0);
        expectIllegal(() -> Mmap.options().map(empty), "empty file", "size 0");
    }

    @Test
    void shouldRejectAccessTogetherWithFlagsOrProt() {
        expectIllegal(() -> Mmap.options().access(Access.READ).flags(MAP_PRIVATE).map(file), "access READ",
                "flags MAP_PRIVATE");
        expectIllegal(() -> Mmap.options().access(Access.WRITE).prot(PROT_READ).map(file), "access WRITE",
                "prot PROT_READ");
        expectIllegal(() -> Mmap.options().access(Access.COPY).prot(PROT_READ).anonymous(PAGE), "access COPY");
    }

    @Test
    void shouldRejectFixedAndTypelessFlags() {
        assertThatThrownBy(() -> Mmap.options().flags(MAP_SHARED | MAP_FIXED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MAP_FIXED");
        assertThatThrownBy(() -> Mmap.options().flags(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one of MAP_SHARED");
        assertThatThrownBy(() -> Mmap.options().prot(0x10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prot").hasMessageContaining("0x10");
    }

    @Test
    void shouldRejectAnonymousFlagForFiles() {
        expectIllegal(() -> Mmap.options().flags(MAP_SHARED | MAP_ANONYMOUS).map(file), "MAP_ANONYMOUS");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, Long.MIN_VALUE})
    void shouldRejectAnonymousLengthBelowOne(long length) {
        expectIllegal(() -> Mmap.options().anonymous(length), "length must be > 0", "was " + length);
    }

    @Test
    void shouldRejectOffsetForAnonymousMemory() {
        expectIllegal(() -> Mmap.options().offset(PAGE).anonymous(PAGE), "offset", String.valueOf(PAGE));
    }

    @Test
    void shouldRejectNegativeAndClosedDescriptors() {
        expectIllegal(() -> Mmap.options().map(-1), "fd", "-1");
        expectIllegal(() -> Mmap.options().map(987_654), "fd 987654", "EBADF");
    }

    @Test
    void shouldReportMissingFile() {
        assertThatThrownBy(() -> Mmap.options().map(dir.resolve("missing.bin")))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("missing.bin")
                .hasMessageContaining("ENOENT");
    }

    @Test
    void shouldReportDirectory() {
        assertThatThrownBy(() -> Mmap.options().map(dir)).isInstanceOf(FileSystemException.class)
                .hasMessageContaining("is a directory");
        assertThatThrownBy(() -> Mmap.options().access(Access.READ).map(dir)).isInstanceOf(FileSystemException.class)
                .hasMessageContaining("is a directory");
    }

    @Test
    void shouldRefuseWritableMappingOfReadOnlyDescriptor() throws IOException {
        int fd = MmapReservationTest.readOnlyDescriptor(file);
        try {
            long fds = OpenFiles.count();
            assertThatThrownBy(() -> Mmap.options().access(Access.WRITE).align(1L << 30).map(fd))
                    .isInstanceOf(ErrnoException.class)
                    .hasMessageContaining("EACCES")
                    .satisfies(e -> assertThat(((ErrnoException) e).errnoName()).isEqualTo("EACCES"))
                    .satisfies(e -> assertThat(((ErrnoException) e).call()).isEqualTo("mmap"));
            assertThat(OpenFiles.count()).isEqualTo(fds);
            // COPY and READ need no write access to the file.
            try (Mmap m = Mmap.options().access(Access.COPY).map(fd)) {
                assertThat(m.length()).isEqualTo(contents.length);
            }
        } finally {
            org.alignedmmap.internal.linux.LibC.close(fd);
        }
    }

    @Test
    void shouldRefuseWritableMappingOfImmutableFile() throws Exception {
        Path locked = writeFile("locked.bin", 100);
        org.junit.jupiter.api.Assumptions.assumeTrue(Chattr.run("+i", locked), "chattr +i needs ext4 and root");
        try {
            assertThatThrownBy(() -> Mmap.options().access(Access.WRITE).map(locked))
                    .isInstanceOf(AccessDeniedException.class)
                    .hasMessageContaining("locked.bin");
            try (Mmap m = Mmap.options().access(Access.READ).map(locked)) {
                assertThat(m.length()).isEqualTo(100);
            }
        } finally {
            Chattr.run("-i", locked);
        }
    }


    private Path writeFile(String name, int size) {
        try {
            return Files.write(dir.resolve(name), new byte[size]);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void expectIllegal(ThrowingCallable call, String... fragments) {
        var assertion = assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class);
        for (String fragment : fragments) {
            assertion.hasMessageContaining(fragment);
        }
    }
}
