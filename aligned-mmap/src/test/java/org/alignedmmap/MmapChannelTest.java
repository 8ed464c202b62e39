package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.alignedmmap.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mmap as a SeekableByteChannel, plugged into NIO code that knows nothing about it. */
class MmapChannelTest {
    @TempDir
    Path dir;

    @Test
    void shouldStreamTheMappingThroughChannelsNewInputStream() throws IOException {
        byte[] data = TestFiles.randomBytes(100_000, 31);
        Path file = Files.write(dir.resolve("stream.bin"), data);
        try (Mmap m = Mmap.options().access(Access.READ).align(2L << 20).map(file);
             InputStream in = Channels.newInputStream(m)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
            assertThat(m.position()).isEqualTo(data.length);
        }
    }

    @Test
    void shouldFeedFileChannelTransferFrom() throws IOException {
        byte[] data = TestFiles.randomBytes(70_000, 32);
        Path file = Files.write(dir.resolve("src.bin"), data);
        Path copy = dir.resolve("copy.bin");
        try (Mmap m = Mmap.options().access(Access.READ).map(file);
             FileChannel out = FileChannel.open(copy, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            m.position(1000);
            assertThat(out.transferFrom(m, 0, data.length)).isEqualTo(data.length - 1000);
        }
        assertThat(Files.readAllBytes(copy)).isEqualTo(java.util.Arrays.copyOfRange(data, 1000, data.length));
    }

    @Test
    void shouldWriteWhatFitsAndRefuseAtTheEnd() throws IOException {
        try (Mmap m = Mmap.options().anonymous(10)) {
            ByteBuffer src = ByteBuffer.wrap("0123456789abc".getBytes());
            assertThat(m.write(src)).isEqualTo(10);
            assertThat(src.remaining()).isEqualTo(3);
            assertThat(m.getBytes(0, 10)).isEqualTo("0123456789".getBytes());
            assertThatThrownBy(() -> m.write(src)).isInstanceOf(IOException.class).hasMessageContaining("no room");
            assertThat(m.write(ByteBuffer.allocate(0))).isZero();
            m.position(0);
            ByteBuffer dst = ByteBuffer.allocate(4);
            assertThat(m.read(dst)).isEqualTo(4);
            assertThat(dst.array()).isEqualTo("0123".getBytes());
            m.position(10);
            assertThat(m.read(ByteBuffer.allocate(1))).isEqualTo(-1);
            m.position(50);
            assertThat(m.read(ByteBuffer.allocate(1))).isEqualTo(-1);
            assertThat(m.size()).isEqualTo(10);
        }
    }

    @Test
    void shouldRefuseChannelWritesToReadOnlyMappings() throws IOException {
        Path file = TestFiles.randomFile(dir, "ro.bin", 100, 33);
        try (Mmap m = Mmap.options().access(Access.READ).map(file)) {
            assertThatThrownBy(() -> m.write(ByteBuffer.allocate(1))).isInstanceOf(NonWritableChannelException.class)
                    .hasMessageContaining("read-only");
            assertThatThrownBy(() -> m.truncate(10)).isInstanceOf(NonWritableChannelException.class);
        }
    }

    @Test
    void shouldTruncateThroughResize() throws IOException {
        Path file = TestFiles.randomFile(dir, "trunc.bin", 10_000, 34);
        try (Mmap m = Mmap.options().map(file)) {
            m.position(9_000);
            m.truncate(20_000);
            assertThat(m.size()).isEqualTo(10_000);
            m.truncate(5_000);
            assertThat(m.size()).isEqualTo(5_000);
            assertThat(m.position()).isEqualTo(5_000);
            assertThat(Files.size(file)).isEqualTo(5_000);
            assertThatThrownBy(() -> m.truncate(-1)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
