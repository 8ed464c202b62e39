package org.alignedmmap.lucene;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.alignedmmap.ErrnoException;
import org.alignedmmap.Residency;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.MemorySegmentAccessInput;
import org.apache.lucene.store.ReadAdvice;

/**
 * An {@link IndexInput} over one memory segment that holds a whole file (or a slice of one): no
 * chunks, since a segment's offsets are longs and the library maps any length in one piece.
 *
 * <p>Reads go straight to the segment with little-endian unaligned layouts, as Lucene's own
 * {@code MemorySegmentIndexInput} reads, so the JIT compiles them to the same plain loads. The
 * bounds check of the segment is the only check on the fast path: an {@link
 * IndexOutOfBoundsException} becomes {@link EOFException} (or {@link IllegalArgumentException}
 * for a negative position), and a read after close, which finds the segment field null (this
 * input closed) or its arena closed (the file closed under a clone), becomes {@link
 * AlreadyClosedException}.
 *
 * <p>Clones and slices share the parent's memory and never unmap it: closing one ends only its
 * own use (it throws {@link AlreadyClosedException} afterwards), as in Lucene.
 */
final class AlignedIndexInput extends IndexInput implements MemorySegmentAccessInput {
    static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The whole file's mapping, shared by clones and slices; null for an empty file. */
    private final MappedFile file;
    /** Where this input's first byte is in the file. */
    private final long base;
    private final long length;
    /** The arena to close with this input; null for clones and slices, which close nothing. */
    private Arena owned;
    private final Function<IOContext, ReadAdvice> toReadAdvice;

    /** This input's bytes; null once this input is closed (the marker the read paths test). */
    private MemorySegment segment;
    private long position;
    /** Prefetches in a row that found their range resident (see prefetch). */
    private long prefetchHits;

    AlignedIndexInput(String description, MappedFile file, MemorySegment segment, long base, Arena owned,
                      Function<IOContext, ReadAdvice> toReadAdvice) {
        super(description);
        this.file = file;
        this.segment = segment;
        this.base = base;
        this.length = segment.byteSize();
        this.owned = owned;
        this.toReadAdvice = toReadAdvice;
    }

    private void ensureOpen() {
        if (segment == null) {
            throw new AlreadyClosedException("Already closed: " + this);
        }
    }

    /**
     * Turns the exceptions a closed input or a closed arena raise into {@link
     * AlreadyClosedException}; anything else (a null argument) is rethrown as it was.
     */
    private RuntimeException alreadyClosed(RuntimeException e) {
        MemorySegment current = segment;
        if (current == null || !current.scope().isAlive()) {
            return new AlreadyClosedException("Already closed: " + this, e);
        }
        return e;
    }

    private RuntimeException positional(String action, long pos) throws EOFException {
        if (pos < 0) {
            return new IllegalArgumentException(action + " negative position (pos=" + pos + "): " + this);
        }
        throw new EOFException(action + " past EOF (pos=" + pos + "): " + this);
    }

    /** The mapping of the file this input reads, or empty for an empty file. */
    Optional<MappedFile> mappedFile() {
        ensureOpen();
        return Optional.ofNullable(file);
    }

    // ---- sequential reads -----------------------------------------------------------------

    @Override
    public byte readByte() throws IOException {
        try {
            byte v = segment.get(BYTE, position);
            position++;
            return v;
        } catch (IndexOutOfBoundsException e) {
            throw new EOFException("read past EOF: " + this);
        } catch (NullPointerException | IllegalStateException e) {
            throw alreadyClosed(e);
        }
    }

    @Override
    public void readBytes(byte[] b, int offset, int len) throws IOException {
        try {
            MemorySegment.copy(segment, BYTE, position, b, offset, len);
            position += len;
        } catch (IndexOutOfBoundsException e) {
            throw eofOrBadArgument(b, offset, len, 1, e);
        } catch (NullPointerException | IllegalStateException e) {
            throw alreadyClosed(e);
        }
    }

    /** An out-of-range array argument stays the caller's bug; a read past the end is EOF. */
    private RuntimeException eofOrBadArgument(Object array, int offset, int len, int width,
                                              IndexOutOfBoundsException e) throws EOFException {
        int arrayLength = java.lang.reflect.Array.getLength(array);
        if (offset < 0 || len < 0 || offset > arrayLength - len) {
            return e;
        }
        throw new EOFException("read past EOF: " + this + " (pos=" + position + ", bytes=" + (long) len * width + ")");
    }

    @Override
    public void readInts(int[] dst, int offset, int len) throws IOException {
        try {
            MemorySegment.copy(segment, LE_INT, position, dst, offset, len);
            position += Integer.BYTES * (long) len;
        } catch (IndexOutOfBoundsException e) {
            throw eofOrBadArgument(dst, offset, len, Integer.BYTES, e);
        } catch (NullPointerException | IllegalStateException e) {
            throw alreadyClosed(e);
        }
    }

    @Override
    public void readLongs(long[] dst, int offset, int len) throws IOException {
        try {
            MemorySegment.copy(segment, LE_LONG, position, dst, offset, len);
            position += Long.BYTES * (long) len;
        } catch (IndexOutOfBoundsException e) {
            throw eofOrBadArgument(dst, offset, len, Long.BYTES, e);
        } catch (NullPointerException | IllegalStateException e) {
            throw alreadyClosed(e);
        }
    }

    @Override
    public void readFloats(float[] dst, int offset, int len) throws IOException {
        try {
            MemorySegment.copy(segment, LE_FLOAT, position, dst, offset, len);
            position += Float.BYTES * (long) len;
        } catch (IndexOutOfBoundsException e) {
            throw eofOrBadArgument(dst, offset, len, Float.BYTES, e);
        } catch (NullPointerException | IllegalStateException e) {
            throw alreadyClosed(e);
        }
    }

    @Override
    public short readShort() throws IOException {
        try {
            short v = segment.get(LE_SHORT, position);
            position += Short.BYTES;
            return v;
        } catch (IndexOutOfBoundsException e) {
            throw new EOFException("read past EOF: " + this);
        } catch (NullPointerException | IllegalStateException e) {
            throw alreadyClosed(e);
        }
    }

    @Override
    public int readInt() throws IOException {
        try {
            int v = segment.get(LE_INT, position);
            position += Integer.BYTES;
            return v;
        } catch (IndexOutOfBoundsException e) {
            throw new EOFException("read past EOF: " + this);
        } catch (NullPointerException | IllegalStateException e) {
            throw alreadyClosed(e);
        }
    }

    @Override
    public long readLong() throws IOException {
        try {
            long v = segment.get(LE_LONG, position);
            position += Long.BYTES;
            return v;
        } catch (IndexOutOfBoundsException e) {
            throw new EOFException("read past EOF: " + this);
        } catch (NullPointerException | IllegalStateException e) {
            throw alreadyClosed(e);
        }
    }

    @Override
    public int readVInt() throws IOException {
        // A final override of its own keeps the JIT's profile of this call site to this class,
        // as Lucene does for its inputs (LUCENE-10366).
        return super.readVInt();
    }

    @Override
    public long readVLong() throws IOException {
        return super.readVLong();
    }

    // ---- position -------------------------------------------------------------------------

    @Override
    public long getFilePointer() {
        ensureOpen();
        return position;
    }

    @Override
    public void seek(long pos) throws IOException {
        ensureOpen();
        if (pos < 0 || pos > length) {
            throw positional("seek", pos);
        }
        position = pos;
    }

    @Override
    public void skipBytes(long numBytes) throws IOException {
        ensureOpen();
        if (numBytes < 0) {
            throw new IllegalArgumentException("numBytes must be >= 0, got " + numBytes);
        }
        long target = position + numBytes;
        if (target > length || target < 0) {
            throw new EOFException("skip past EOF (pos=" + position + ", numBytes=" + numBytes + "): " + this);
        }
        position = target;
    }

    @Override
    public long length() {
        return length;
    }

    // ---- random access --------------------------------------------------------------------

    @Override
    public byte readByte(long pos) throws IOException {
        try {
            return segment.get(BYTE, pos);
        } catch (IndexOutOfBoundsException e) {
            throw positional("read", pos);
        } catch (NullPointerException | IllegalStateException e) {
            throw alreadyClosed(e);
        }
    }

    @Override
    public void readBytes(long pos, byte[] b, int offset, int len) throws IOException {
        try {
            MemorySegment.copy(segment, BYTE, pos, b, offset, len);
        } catch (IndexOutOfBoundsException e) {
            Objects.checkFromIndexSize(offset, len, b.length);
            throw positional("read", pos);
        } catch (NullPointerException | IllegalStateException e) {
            throw alreadyClosed(e);
        }
    }

    @Override
    public short readShort(long pos) throws IOException {
        try {
            return segment.get(LE_SHORT, pos);
        } catch (IndexOutOfBoundsException e) {
            throw positional("read", pos);
        } catch (NullPointerException | IllegalStateException e) {
            throw alreadyClosed(e);
        }
    }

    @Override
    public int readInt(long pos) throws IOException {
        try {
            return segment.get(LE_INT, pos);
        } catch (IndexOutOfBoundsException e) {
            throw positional("read", pos);
        } catch (NullPointerException | IllegalStateException e) {
            throw alreadyClosed(e);
        }
    }

    @Override
    public long readLong(long pos) throws IOException {
        try {
            return segment.get(LE_LONG, pos);
        } catch (IndexOutOfBoundsException e) {
            throw positional("read", pos);
        } catch (NullPointerException | IllegalStateException e) {
            throw alreadyClosed(e);
        }
    }

    @Override
    public MemorySegment segmentSliceOrNull(long pos, long len) throws IOException {
        try {
            Objects.checkFromIndexSize(pos, len, length);
            return segment.asSlice(pos, len);
        } catch (IndexOutOfBoundsException e) {
            throw positional("segmentSliceOrNull", pos < 0 ? pos : pos + len);
        } catch (NullPointerException | IllegalStateException e) {
            throw alreadyClosed(e);
        }
    }

    // ---- advice ---------------------------------------------------------------------------

    @Override
    public void prefetch(long offset, long len) throws IOException {
        ensureOpen();
        Objects.checkFromIndexSize(offset, len, length);
        if (file == null || len == 0) {
            return;
        }
        // As Lucene does: after a run of prefetches that found their pages cached, check again
        // only at powers of two of the run's length, so that a cached index pays for neither
        // the mincore nor the madvise on most calls.
        if (Long.bitCount(prefetchHits++) > 1) {
            return;
        }
        try {
            if (!Residency.of(segment.asSlice(offset, len)).isFullyResident()) {
                prefetchHits = 0;
                file.willNeed(base + offset, len);
            }
        } catch (NullPointerException | IllegalStateException e) {
            throw alreadyClosed(e);
        }
    }

    @Override
    public void updateIOContext(IOContext context) throws IOException {
        ensureOpen();
        if (file != null) {
            file.advise(toReadAdvice.apply(context), base, length);
        }
    }

    @Override
    public Optional<Boolean> isLoaded() {
        ensureOpen();
        if (length == 0) {
            return Optional.of(Boolean.TRUE);
        }
        try {
            return Optional.of(Residency.of(segment).isFullyResident());
        } catch (ErrnoException | IllegalStateException e) {
            // The memory was unmapped meanwhile (the file closed under a clone).
            throw new AlreadyClosedException("Already closed: " + this, e);
        }
    }

    // ---- clones, slices, close ------------------------------------------------------------

    @Override
    public AlignedIndexInput clone() {
        ensureOpen();
        AlignedIndexInput clone = (AlignedIndexInput) super.clone();
        clone.owned = null;
        return clone;
    }

    @Override
    public AlignedIndexInput slice(String sliceDescription, long offset, long len) throws IOException {
        ensureOpen();
        if (offset < 0 || len < 0 || offset > length - len) {
            throw new IllegalArgumentException("slice() " + sliceDescription + " out of bounds: offset=" + offset
                    + ",length=" + len + ",fileLength=" + length + ": " + this);
        }
        try {
            return new AlignedIndexInput(getFullSliceDescription(sliceDescription), file,
                    segment.asSlice(offset, len), base + offset, null, toReadAdvice);
        } catch (IllegalStateException e) {
            throw alreadyClosed(e);
        }
    }

    @Override
    public AlignedIndexInput slice(String sliceDescription, long offset, long len, IOContext context)
            throws IOException {
        AlignedIndexInput slice = slice(sliceDescription, offset, len);
        slice.updateIOContext(context);
        return slice;
    }

    /**
     * Closes this input. For the input {@code openInput} returned this ends its use of the
     * memory: the memory is unmapped when the last file of its group is closed, and from then on
     * clones and slices throw {@link AlreadyClosedException}. For a clone or slice it ends only
     * that input's use, as in Lucene. Idempotent.
     */
    @Override
    public void close() throws IOException {
        if (segment == null) {
            return;
        }
        segment = null;
        Arena arena = owned;
        if (arena != null) {
            owned = null;
            arena.close();
        }
    }
}
