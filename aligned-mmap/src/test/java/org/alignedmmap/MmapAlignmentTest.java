package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.alignedmmap.testing.TestFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The alignment matrix: every alignment from 1 to 1 GiB, for file mappings at several offsets
 * and lengths and for anonymous memory, checked on the real mapping.
 */
class MmapAlignmentTest {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final long MIB = 1L << 20;
    /** Large enough for offsets of several MiB plus an odd-length tail. */
    private static final int FILE_SIZE = (int) (8 * MIB + 12_345);

    @TempDir
    static Path dir;
    static byte[] contents;

    @BeforeAll
    static void writeFile() throws IOException {
        contents = TestFiles.randomBytes(FILE_SIZE, 42);
    }

    static List<Long> alignments() {
        return List.of(1L, PAGE, 64 * 1024L, 2 * MIB, 64 * MIB, 1L << 30);
    }

    static Stream<Arguments> fileCases() {
        List<Arguments> cases = new ArrayList<>();
        for (long align : alignments()) {
            for (long offset : List.of(0L, PAGE, 5 * MIB)) {
                for (long length : List.of(1L, 12_345L, 0L)) {
                    for (Access access : List.of(Access.DEFAULT, Access.WRITE, Access.COPY, Access.READ)) {
                        cases.add(Arguments.of(align, offset, length, access));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "align={0} offset={1} length={2} access={3}")
    @MethodSource("fileCases")
    void shouldMapFileAtAlignedAddressWithFileBytes(long align, long offset, long length, Access access)
            throws IOException {
        Path file = Files.write(Files.createTempFile(dir, "matrix", ".bin"), contents);
        long expectedLength = length == 0 ? FILE_SIZE - offset : length;
        try (Mmap m = Mmap.options().access(access).offset(offset).length(length).align(align).map(file)) {
            assertThat(m.address() % align).as("address 0x%x %% align %d", m.address(), align).isZero();
            assertThat(m.alignment()).isEqualTo(align);
            assertThat(m.length()).isEqualTo(expectedLength);
            assertThat(m.segment().byteSize()).isEqualTo(expectedLength);
            assertThat(m.segment().address()).isEqualTo(m.address());
            byte[] mapped = m.segment().toArray(ValueLayout.JAVA_BYTE);
            assertThat(mapped).isEqualTo(Arrays.copyOfRange(contents, (int) offset, (int) (offset + expectedLength)));

            if (access != Access.READ) {
                MemorySegment s = m.segment();
                s.set(ValueLayout.JAVA_BYTE, 0, (byte) ~s.get(ValueLayout.JAVA_BYTE, 0));
                s.set(ValueLayout.JAVA_BYTE, expectedLength - 1, (byte) 0x5A);
            } else {
                assertThat(m.segment().isReadOnly()).isTrue();
                assertThat(m.isReadOnly()).isTrue();
            }
        }
        byte[] after = Files.readAllBytes(file);
        byte[] expected = contents.clone();
        if (access == Access.DEFAULT || access == Access.WRITE) {
            expected[(int) offset] = (byte) ~expected[(int) offset];
            expected[(int) (offset + expectedLength - 1)] = 0x5A;
        }
        assertThat(after).as("file after %s writes", access).isEqualTo(expected);
        Files.delete(file);
    }

    static Stream<Arguments> anonymousCases() {
        List<Arguments> cases = new ArrayList<>();
        for (long align : alignments()) {
            for (long length : List.of(1L, PAGE + 1, 3 * MIB)) {
                for (Access access : List.of(Access.DEFAULT, Access.COPY)) {
                    cases.add(Arguments.of(align, length, access));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "align={0} length={1} access={2}")
    @MethodSource("anonymousCases")
    void shouldMapZeroedAnonymousMemoryAtAlignedAddress(long align, long length, Access access) throws IOException {
        try (Mmap m = Mmap.options().access(access).align(align).anonymous(length)) {
            assertThat(m.address() % align).as("address 0x%x %% align %d", m.address(), align).isZero();
            assertThat(m.length()).isEqualTo(length);
            assertThat(m.isAnonymous()).isTrue();
            MemorySegment s = m.segment();
            assertThat(s.asSlice(0, length).mismatch(MemorySegment.ofArray(new byte[(int) length]))).isEqualTo(-1);
            s.set(ValueLayout.JAVA_BYTE, length - 1, (byte) 7);
            assertThat(s.get(ValueLayout.JAVA_BYTE, length - 1)).isEqualTo((byte) 7);
        }
    }
}
