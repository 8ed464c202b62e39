package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.alignedmmap.internal.linux.LibC;
import org.alignedmmap.testing.OpenFiles;
import org.alignedmmap.testing.ProcMaps;
import org.alignedmmap.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Descriptors: kept only with trackFd, never leaked, never taken from the caller. */
class MmapDescriptorTest {
    @TempDir
    Path dir;

    @Test
    void shouldKeepOneDescriptorWhileTrackingAndNoneAfterClose() throws IOException {
        Path file = TestFiles.randomFile(dir, "fd.bin", 10_000, 4);
        try (Mmap m = Mmap.options().align(1L << 30).map(file)) {
            assertThat(OpenFiles.descriptorsOf(file)).isEqualTo(1);
            assertThat(m.length()).isEqualTo(10_000);
        }
        assertThat(OpenFiles.descriptorsOf(file)).isZero();
    }

    @Test
    void shouldKeepNoDescriptorWithoutTracking() throws IOException {
        Path file = TestFiles.randomFile(dir, "fd.bin", 10_000, 5);
        try (Mmap m = Mmap.options().trackFd(false).map(file)) {
            assertThat(OpenFiles.descriptorsOf(file)).isZero();
            assertThat(m.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 9_999)).isNotNull();
        }
        assertThat(OpenFiles.descriptorsOf(file)).isZero();
    }

    @Test
    void shouldDuplicateCallersDescriptorAndLeaveItOpen() throws IOException {
        Path file = TestFiles.randomFile(dir, "fd.bin", 10_000, 6);
        int fd = LibC.open(file.toString(), LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        try {
            try (Mmap m = Mmap.options().align(64L << 20).map(fd)) {
                assertThat(OpenFiles.descriptorsOf(file)).isEqualTo(2);
                assertThat(m.address() % (64L << 20)).isZero();
            }
            assertThat(OpenFiles.descriptorsOf(file)).isEqualTo(1);
            try (Mmap m = Mmap.options().trackFd(false).map(fd)) {
                assertThat(m.isOpen()).isTrue();
                assertThat(OpenFiles.descriptorsOf(file)).isEqualTo(1);
            }
            assertThat(OpenFiles.descriptorsOf(file)).isEqualTo(1);
        } finally {
            LibC.close(fd);
        }
        assertThat(OpenFiles.descriptorsOf(file)).isZero();
    }

    @Test
    void shouldLeakNothingOverManyCycles() throws IOException {
        Path file = TestFiles.randomFile(dir, "cycle.bin", 100_000, 7);
        long fdsBefore = OpenFiles.count();
        int regionsBefore = ProcMaps.read().regions().size();
        for (int i = 0; i < 2_000; i++) {
            try (Mmap m = Mmap.options().align(2L << 20).offset(SystemAlignment.pageSize()).map(file);
                 Mmap a = Mmap.options().align(2L << 20).anonymous(100_000)) {
                m.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0);
                a.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 1);
            }
        }
        assertThat(OpenFiles.count()).isEqualTo(fdsBefore);
        // Some slack for the JVM's own mappings (JIT code, thread stacks) that come and go.
        assertThat(ProcMaps.read().regions().size()).isLessThan(regionsBefore + 50);
        assertThat(OpenFiles.descriptorsOf(file)).isZero();
    }
}
