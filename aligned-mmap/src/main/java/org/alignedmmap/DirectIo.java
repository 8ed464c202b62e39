package org.alignedmmap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Reading a region of a file with {@code O_DIRECT} (bypassing the page cache) without the
 * boilerplate: asking the file for its alignment, rounding the region out to whole blocks,
 * allocating an aligned buffer, looping over {@code ByteBuffer}-sized chunks, and handling the
 * partial block at the end of the file.
 *
 * <p>For anything else (writes, reuse of one buffer for many reads), open the {@link FileChannel}
 * yourself with {@link #DIRECT} and use buffers from {@link Aligned#allocate}
 * aligned to {@link DirectIoAlignment#fileChannel()}, with transfer lengths and file positions
 * in multiples of it:
 *
 * <pre>{@code
 * long block = SystemAlignment.directIo(file).fileChannel();
 * try (Arena arena = Arena.ofConfined();
 *      FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, DirectIo.DIRECT)) {
 *     MemorySegment buffer = Aligned.allocate(arena, 8 * block, block);
 *     // ... fill the buffer ...
 *     channel.write(buffer.asByteBuffer(), 0);
 * }
 * }</pre>
 */
public final class DirectIo {
    /**
     * The {@link OpenOption} that opens a {@link FileChannel} with {@code O_DIRECT}: the JDK's
     * {@code com.sun.nio.file.ExtendedOpenOption.DIRECT}, for {@code FileChannel.open(file, READ,
     * DirectIo.DIRECT)}. The same object; here because javac warns about every reference to
     * {@code ExtendedOpenOption} ("internal proprietary API") with no way to suppress the
     * warning, which breaks builds that treat warnings as errors. Looked up by name, which
     * javac does not see.
     */
    public static final OpenOption DIRECT = extendedOpenOption("DIRECT");

    private DirectIo() {}

    private static OpenOption extendedOpenOption(String name) {
        try {
            Class<?> options = Class.forName("com.sun.nio.file.ExtendedOpenOption");
            return (OpenOption) options.getField(name).get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this JDK has no com.sun.nio.file.ExtendedOpenOption." + name, e);
        }
    }

    /**
     * Reads {@code length} bytes from {@code position} of a file with {@code O_DIRECT}.
     *
     * <p>The file is read in whole blocks of {@link DirectIoAlignment#fileChannel()} bytes into
     * one aligned buffer that covers the region; the segment returned is the region's part of
     * it. So its address is a multiple of that block size when {@code position} is, and the
     * arena holds up to two blocks more than the segment shows until it closes.
     *
     * @param file the file to read
     * @param position the offset in the file of the first byte, {@code >= 0}; need not be aligned
     * @param length the number of bytes, {@code >= 0}; need not be aligned
     * @param arena the arena that owns the buffer
     * @return the bytes read: exactly {@code length} of them, or fewer when the file ends earlier
     *     (none when {@code position} is at or past its end)
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code position} or {@code length} is negative, their
     *     sum overflows a long, or {@code arena} is closed
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws java.nio.file.FileSystemException if the file system reports that the file does
     *     not support {@code O_DIRECT}
     * @throws IOException if the file cannot be opened with {@code O_DIRECT} (some file systems
     *     refuse it) or reading fails; a buffer already allocated then stays with {@code arena}
     *     until it closes
     * @throws OutOfMemoryError if the buffer cannot be allocated
     */
    public static MemorySegment read(Path file, long position, long length, Arena arena) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(arena, "arena");
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, was " + position);
        }
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, was " + length);
        }
        if (position > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("position + length overflows a long: position=" + position
                    + ", length=" + length);
        }
        if (!arena.scope().isAlive()) {
            throw new IllegalArgumentException("arena must be alive, was already closed: " + arena);
        }
        long block = SystemAlignment.directIo(file).fileChannel();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, DIRECT)) {
            long end = Math.min(position + length, channel.size());
            if (end <= position) {
                return Aligned.allocate(arena, 0, block);
            }
            long start = Aligned.alignDown(position, block);
            long want = Aligned.alignUp(end, block) - start;
            MemorySegment buffer = Aligned.allocate(arena, want, block);
            long done = readBlocks(channel, buffer, start, want, block);
            long valid = Math.max(0, Math.min(done, end - start) - (position - start));
            return buffer.asSlice(position - start, valid);
        }
    }

    /** Reads until {@code want} bytes are in or the file ends; returns how many came. */
    private static long readBlocks(FileChannel channel, MemorySegment buffer, long start, long want, long block)
            throws IOException {
        // A ByteBuffer holds at most Integer.MAX_VALUE bytes; each chunk must stay whole blocks.
        long maxChunk = Aligned.alignDown(Integer.MAX_VALUE, block);
        long done = 0;
        while (done < want) {
            int chunk = (int) Math.min(want - done, maxChunk);
            int n = channel.read(buffer.asSlice(done, chunk).asByteBuffer(), start + done);
            if (n <= 0) {
                break;
            }
            done += n;
            if (done % block != 0) {
                // Only the file's last, partial block comes back short of a block boundary.
                break;
            }
        }
        return done;
    }
}
