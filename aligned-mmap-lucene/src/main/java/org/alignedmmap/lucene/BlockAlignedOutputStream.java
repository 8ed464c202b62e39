package org.alignedmmap.lucene;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.Objects;

/**
 * Writes a file in whole blocks of one huge page each, every block in one positional write at a
 * file offset that is a multiple of the block size, the rest in one write at close.
 *
 * <p>Why: a file system with large folios (ext4 on Linux 6.16+, XFS) gives the page cache folios
 * as large as the writes that fill it, and keeps them. Lucene's own output writes through 8 KiB
 * buffers, so its files are cached in small folios, which a huge page mapping cannot map with
 * huge pages. Written in whole aligned huge-page blocks, the same bytes are cached in huge folios,
 * ready for {@code FilePmdMapped} mappings. (The library's {@code HugePageOutputStream} does the
 * same with a native buffer of one huge page per stream; this one buffers on the heap and grows
 * its buffer with the file, so that the many small files of an index cost no more than Lucene's
 * own output.)
 *
 * <p>Not thread-safe, as Lucene's outputs are not.
 */
final class BlockAlignedOutputStream extends OutputStream {
    /** The first buffer: small files never need more, larger ones double it up to a block. */
    private static final int INITIAL_BUFFER = 16 << 10;

    private final FileChannel channel;
    private final int blockSize;
    private byte[] buffer;
    private int buffered;
    /** The file offset of the buffer's first byte: a multiple of the block size. */
    private long position;
    private boolean closed;

    /**
     * Wraps an open channel positioned at 0; closing this stream closes it.
     *
     * @param channel a channel open for writing, at an empty file
     * @param blockSize the block size, a power of two no larger than {@code 1 << 30}
     */
    BlockAlignedOutputStream(FileChannel channel, long blockSize) {
        if (blockSize <= 0 || blockSize > (1 << 30) || Long.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("blockSize must be a power of two in [1, 2^30], was " + blockSize);
        }
        this.channel = Objects.requireNonNull(channel, "channel");
        this.blockSize = (int) blockSize;
        this.buffer = new byte[Math.min(INITIAL_BUFFER, this.blockSize)];
    }

    @Override
    public void write(int b) throws IOException {
        ensureRoom();
        buffer[buffered++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            ensureRoom();
            int n = Math.min(len, buffer.length - buffered);
            System.arraycopy(b, off, buffer, buffered, n);
            buffered += n;
            off += n;
            len -= n;
        }
    }

    /** Makes room for at least one byte: grows the buffer, or writes a full block. */
    private void ensureRoom() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (buffered < buffer.length) {
            return;
        }
        if (buffer.length < blockSize) {
            buffer = Arrays.copyOf(buffer, Math.min(blockSize, buffer.length * 2));
            return;
        }
        drain();
    }

    /** Writes the buffer at its offset, in as many calls as the channel needs. */
    private void drain() throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, buffered);
        long at = position;
        while (bytes.hasRemaining()) {
            at += channel.write(bytes, at);
        }
        position += buffered;
        buffered = 0;
    }

    /**
     * Does nothing: a write of a partial block would leave that block in small folios. Lucene
     * never flushes an output before closing it; {@link #close()} writes everything.
     */
    @Override
    public void flush() {
        // deliberately empty, see above
    }

    /**
     * Writes what is buffered and closes the file. Idempotent.
     *
     * @throws IOException if writing fails; the file is closed anyway
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (channel) {
            if (buffered > 0) {
                drain();
            }
        } finally {
            buffer = null;
        }
    }
}
