package org.alignedmmap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Writes a file so that the page cache holds it in huge folios from the start, ready to be mapped
 * with {@link MmapOptions#hugePages(HugePages) hugePages(TRANSPARENT)} at full huge page
 * coverage, without {@link MmapOptions#rebuildPageCache(boolean) rebuilding} it first.
 *
 * <pre>{@code
 * Path file = Path.of("vectors.bin");
 * try (OutputStream out = HugePageOutputStream.create(file)) {
 *     out.write(bytes);                                   // any sizes, any number of calls
 * }
 * try (Mmap m = Mmap.options().hugePages(HugePages.TRANSPARENT).map(file)) {
 *     m.segment().get(ValueLayout.JAVA_BYTE, 0);         // faults in a huge page
 * }
 * }</pre>
 *
 * <h2>Why</h2>
 * A file system with large folios (ext4 on Linux 6.16+, XFS) sizes the folio of a {@code write(2)}
 * by the write: a write that covers a whole huge-page block at a file offset that is a multiple
 * of the huge page size puts that block in one huge folio; writes in small pieces (8 KiB, as
 * {@code FileOutputStream}, {@code Files.write} and most writers do) cache it in small folios,
 * which keep their size for as long as they stay cached. Measured on Linux 6.18 with ext4 and
 * 2 MiB huge pages: 2 MiB and 4 MiB writes at 2 MiB-aligned offsets gave every block a huge page;
 * 8 KiB and 1 MiB writes gave none; 4 MiB writes starting 1 MiB into the file gave half (each
 * write then covers only one whole block, the pieces around it belong to two writes).
 *
 * <p>So this stream buffers one huge page's worth ({@link #blockSize()}) of native memory and
 * writes each block in one positional write at its aligned offset. Where the file system has no
 * large folios nothing changes but the size of the writes.
 *
 * <h2>Use</h2>
 * Not thread-safe. {@link #flush()} writes what is buffered, as its contract says, which leaves
 * that block (and the next, written in two pieces) in small folios: call it rarely, or not at
 * all before {@link #close()}. Neither {@code flush} nor {@code close} makes the file durable;
 * {@link #sync()} does. A file opened with {@link StandardOpenOption#APPEND} continues at its
 * end, first with a write up to the next aligned offset.
 */
public final class HugePageOutputStream extends OutputStream {
    private final FileChannel channel;
    private final Arena arena;
    private final MemorySegment buffer;
    private final long blockSize;
    /** The file offset of the buffer's first byte. */
    private long position;
    /** Bytes in the buffer. */
    private int buffered;
    /** How many bytes fill the buffer up to the next aligned offset. */
    private int limit;
    private boolean closed;

    private HugePageOutputStream(FileChannel channel, long blockSize, long start) {
        this.channel = channel;
        this.blockSize = blockSize;
        this.arena = Arena.ofShared();
        this.buffer = Aligned.allocate(arena, blockSize, SystemAlignment.pageSize());
        this.position = start;
        this.limit = fill(start);
    }

    /**
     * Creates (or truncates) a file and opens it for writing, as {@link
     * java.nio.file.Files#newOutputStream(Path, OpenOption...)} with no options does.
     *
     * @param file the file
     * @return the stream; close it to write the last block
     * @throws IOException if the file cannot be opened (NoSuchFileException for a missing
     *     directory, AccessDeniedException, ...)
     */
    public static HugePageOutputStream create(Path file) throws IOException {
        return open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    /**
     * Opens a file for writing with the given options, as {@link
     * java.nio.file.Files#newOutputStream(Path, OpenOption...)}: none means {@code CREATE,
     * TRUNCATE_EXISTING, WRITE}; {@code APPEND} continues at the end of the file.
     *
     * @param file the file
     * @param options open options; {@code READ} is refused
     * @return the stream
     * @throws IllegalArgumentException if {@code options} contains {@code READ}, or {@code APPEND}
     *     with {@code TRUNCATE_EXISTING}
     * @throws IOException if the file cannot be opened
     */
    public static HugePageOutputStream open(Path file, OpenOption... options) throws IOException {
        Objects.requireNonNull(file, "file");
        Set<OpenOption> set = new HashSet<>(Set.of(options));
        if (set.isEmpty()) {
            set.addAll(Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE));
        }
        if (set.contains(StandardOpenOption.READ)) {
            throw new IllegalArgumentException("options must not contain READ: this stream only writes, was " + set);
        }
        boolean append = set.remove(StandardOpenOption.APPEND);
        if (append && set.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
            throw new IllegalArgumentException("APPEND and TRUNCATE_EXISTING cannot be combined, was " + set);
        }
        set.add(StandardOpenOption.WRITE);
        // Positional writes: APPEND is done by starting at the end, which O_APPEND would forbid.
        FileChannel channel = FileChannel.open(file, set);
        try {
            return new HugePageOutputStream(channel, blockSize(), append ? channel.size() : 0);
        } catch (RuntimeException | Error e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Returns the size of the blocks this stream writes: the transparent huge page size, or 2 MiB
     * where the system has no transparent huge pages (no huge folio will come of it there, but
     * large writes cost nothing).
     *
     * @return the block size in bytes
     */
    public static long blockSize() {
        return HugePages.TRANSPARENT.isAvailable() ? HugePages.TRANSPARENT.pageSize() : 2L << 20;
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        buffer.set(JAVA_BYTE, buffered++, (byte) b);
        if (buffered == limit) {
            drain();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        while (len > 0) {
            int n = Math.min(len, limit - buffered);
            MemorySegment.copy(b, off, buffer, JAVA_BYTE, buffered, n);
            buffered += n;
            off += n;
            len -= n;
            if (buffered == limit) {
                drain();
            }
        }
    }

    /**
     * Writes the bytes of a segment, without a copy through a Java array.
     *
     * @param src the bytes, a heap or native segment readable by this thread
     * @throws IOException if writing fails
     */
    public void write(MemorySegment src) throws IOException {
        Objects.requireNonNull(src, "src");
        ensureOpen();
        long done = 0;
        long size = src.byteSize();
        while (done < size) {
            int n = (int) Math.min(size - done, limit - buffered);
            MemorySegment.copy(src, done, buffer, buffered, n);
            buffered += n;
            done += n;
            if (buffered == limit) {
                drain();
            }
        }
    }

    /**
     * Writes the buffered bytes to the file (not to storage: see {@link #sync()}). The block they
     * belong to is then cached in small folios.
     *
     * @throws IOException if writing fails
     */
    @Override
    public void flush() throws IOException {
        ensureOpen();
        if (buffered > 0) {
            drain();
        }
    }

    /**
     * Writes the buffered bytes and forces the file's contents to storage ({@link
     * FileChannel#force(boolean) force(false)}).
     *
     * @throws IOException if writing or forcing fails
     */
    public void sync() throws IOException {
        flush();
        channel.force(false);
    }

    /**
     * Returns how many bytes the file has received through this stream, buffered ones included,
     * plus where it started (the file's size for {@code APPEND}).
     *
     * @return the file offset the next byte goes to
     */
    public long position() {
        return position + buffered;
    }

    /**
     * Writes the last block and closes the file. Idempotent.
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
            arena.close();
        }
    }

    /** Writes the buffer at its file offset and starts the next one. */
    private void drain() throws IOException {
        ByteBuffer bytes = buffer.asSlice(0, buffered).asByteBuffer();
        long at = position;
        while (bytes.hasRemaining()) {
            at += channel.write(bytes, at);
        }
        position = at;
        buffered = 0;
        limit = fill(position);
    }

    /** Up to the next multiple of the block size: every later write is aligned and whole. */
    private int fill(long from) {
        return (int) (blockSize - Math.floorMod(from, blockSize));
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }
}
