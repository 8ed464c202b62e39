package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.alignedmmap.testing.ProcMaps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The additions of CPython 3.15's mmap: {@code set_name()}, {@code flush(..., flags=)}, and
 * {@code size()} of anonymous memory, as {@link Mmap#setName}, {@link Mmap#flush(long, long, int)}
 * and {@link Mmap#fileSize()}.
 */
class CPython315MmapTest {
    private static final long PAGE = SystemAlignment.pageSize();

    @TempDir
    Path dir;

    @Test
    void shouldNameAnonymousMemoryOrSayThatTheKernelCannot() throws Exception {
        try (Mmap m = Mmap.options().anonymous(4 * PAGE)) {
            Optional<Throwable> refused = Optional.empty();
            try {
                m.setName("aligned-mmap test");
            } catch (UnsupportedOperationException e) {
                refused = Optional.of(e);
            }
            if (refused.isPresent()) {
                // This kernel (no CONFIG_ANON_VMA_NAME, or before 5.17) answers EINVAL.
                assertThat(refused.get()).hasMessageContaining("CONFIG_ANON_VMA_NAME")
                        .hasMessageContaining("prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME")
                        .cause().isInstanceOf(ErrnoException.class);
                assertThat(((ErrnoException) refused.get().getCause()).errnoName()).isEqualTo("EINVAL");
                assertThat(ProcMaps.read().regionAt(m.address()).path()).doesNotContain("[anon:");
            } else {
                assertThat(ProcMaps.read().regionAt(m.address()).path()).isEqualTo("[anon:aligned-mmap test]");
            }
            // The mapping is unharmed either way.
            m.put(0, (byte) 7);
            assertThat(m.get(0)).isEqualTo((byte) 7);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "with [brackets]", "dollar$", "back\\slash", "tick`", "tab\there", "caf\u00e9",
        "01234567890123456789012345678901234567890123456789012345678901234567890123456789"})
    void shouldRefuseNamesTheKernelRefuses(String name) throws Exception {
        try (Mmap m = Mmap.options().anonymous(PAGE)) {
            assertThatThrownBy(() -> m.setName(name)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("name must");
        }
    }

    @Test
    void shouldAcceptTheLongestNameBeforeAskingTheKernel() throws Exception {
        String longest = "x".repeat(79);
        try (Mmap m = Mmap.options().anonymous(PAGE)) {
            try {
                m.setName(longest);
            } catch (UnsupportedOperationException kernelCannot) {
                assertThat(kernelCannot).hasMessageContaining("CONFIG_ANON_VMA_NAME");
            }
        }
    }

    @Test
    void shouldRefuseToNameAFileMappingOrAClosedOne() throws Exception {
        Path file = Files.write(dir.resolve("named.bin"), new byte[(int) PAGE]);
        try (Mmap m = Mmap.options().map(file)) {
            assertThatThrownBy(() -> m.setName("x")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("only names anonymous memory");
        }
        Mmap closed = Mmap.options().anonymous(PAGE);
        closed.close();
        assertThatThrownBy(() -> closed.setName("x")).isInstanceOf(IllegalStateException.class)
                .hasMessage("mmap closed or invalid");
        assertThatThrownBy(() -> closed.setName(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void shouldFlushWithEachFlagCombinationCPython315Accepts() throws IOException {
        Path file = Files.write(dir.resolve("flush.bin"), new byte[(int) (4 * PAGE)]);
        try (Mmap m = Mmap.options().access(Access.WRITE).map(file)) {
            int[] accepted = {MmapConstants.MS_SYNC, MmapConstants.MS_ASYNC,
                MmapConstants.MS_SYNC | MmapConstants.MS_INVALIDATE, MmapConstants.MS_ASYNC | MmapConstants
                        .MS_INVALIDATE};
            for (int i = 0; i < accepted.length; i++) {
                m.put(i * PAGE + 1, (byte) (i + 1));
                m.flush(i * PAGE + 1, 1, accepted[i]);
            }
            byte[] onDisk = Files.readAllBytes(file);
            for (int i = 0; i < accepted.length; i++) {
                assertThat(onDisk[(int) (i * PAGE + 1)]).isEqualTo((byte) (i + 1));
            }
            for (int refused : new int[] {0, MmapConstants.MS_SYNC | MmapConstants.MS_ASYNC, MmapConstants
                    .MS_INVALIDATE,
                0x100}) {
                assertThatThrownBy(() -> m.flush(0, PAGE, refused)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("flags must be MS_SYNC or MS_ASYNC").hasMessageContaining("" + refused);
            }
            assertThatThrownBy(() -> m.flush(0, 5 * PAGE, MmapConstants.MS_ASYNC))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("flush values out of range");
        }
    }

    @Test
    void shouldReportTheLengthAsTheSizeOfAnonymousMemory() throws Exception {
        try (Mmap m = Mmap.options().anonymous(3 * PAGE + 5)) {
            assertThat(m.fileSize()).isEqualTo(3 * PAGE + 5);
            m.resize(PAGE);
            assertThat(m.fileSize()).isEqualTo(PAGE);
        }
        try (Mmap untracked = Mmap.options().trackFd(false).anonymous(PAGE)) {
            assertThatThrownBy(untracked::fileSize).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("trackFd(false)");
        }
    }
}
