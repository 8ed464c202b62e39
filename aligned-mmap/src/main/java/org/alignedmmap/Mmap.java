package org.alignedmmap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.alignedmmap.internal.AlignedMapper;
import org.alignedmmap.internal.NativeMapping;
import org.alignedmmap.internal.Platform;

/**
 * A memory mapping of a file or of anonymous memory whose start address is a multiple of an
 * alignment the caller chose: CPython's {@code mmap} with the {@code align} parameter proposed in
 * CPython issue 112448, for Java.
 *
 * <pre>{@code
 * try (Mmap m = Mmap.options().align(2L << 20).map(Path.of("data.bin"))) {
 *     MemorySegment bytes = m.segment();      // exactly m.length() bytes at m.address()
 *     long first = bytes.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
 * }
 * }</pre>
 *
 * <h2>Lifetime</h2>
 * By default a mapping owns a shared arena: {@link #close()} unmaps the memory at once, from any
 * thread, and from then on every method and every view taken earlier ({@link #segment()}, {@link
 * #asByteBuffer()}) throws {@link IllegalStateException} instead of touching unmapped memory. A
 * mapping that is never closed is unmapped after the garbage collector finds it and all its views
 * unreachable. With {@link MmapOptions#arena(Arena)} the memory belongs to the caller's arena
 * instead.
 *
 * <h2>Threads</h2>
 * {@link #close()} may be called from any thread at any time; other threads using the mapping
 * then get {@link IllegalStateException}. Views may be shared between threads as any memory
 * segment. The methods that move the position are not synchronized.
 */
public final class Mmap implements AutoCloseable {
    private final NativeMapping mapping;
    private final long alignment;
    private final long fileOffset;
    private final String source;
    private final Access access;
    private final int prot;
    private final int flags;
    private final boolean readOnly;
    private final Arena callerArena;
    private final Object lock = new Object();

    /** The live view of the memory; null once closed. Replaced, never mutated, by a resize. */
    private volatile View view;

    /**
     * The memory as seen through one arena generation.
     *
     * @param arena the arena this object owns and closes, or null when bound to a caller's
     * @param segment exactly the mapped bytes, read-only for read-only mappings
     */
    private record View(Arena arena, MemorySegment segment) {}

    /** What {@link MmapOptions} resolved; the descriptor is kept only when {@code keepsFd}. */
    record Request(int fd, boolean keepsFd, String source, long offset, long length, long align, int prot,
                   int flags, Access access, Arena arena) {}

    private Mmap(NativeMapping mapping, Request request) {
        this.mapping = mapping;
        this.alignment = request.align();
        this.fileOffset = request.offset();
        this.source = request.source();
        this.access = request.access();
        this.prot = request.prot();
        this.flags = request.flags();
        this.readOnly = (request.prot() & MmapConstants.PROT_WRITE) == 0;
        this.callerArena = request.arena();
        this.view = newView();
    }

    static Mmap create(Request request) throws ErrnoException {
        if (request.arena() != null && !request.arena().scope().isAlive()) {
            throw new IllegalArgumentException("arena must be alive, was already closed: " + request.arena());
        }
        long granule = Platform.pageSize();
        long address = AlignedMapper.map(request.length(), request.align(), request.prot(), request.flags(),
                request.fd(), request.offset(), granule);
        NativeMapping mapping = new NativeMapping(address, request.length(), granule,
                request.keepsFd() ? request.fd() : -1);
        try {
            return new Mmap(mapping, request);
        } catch (Throwable t) {
            // The descriptor is still the caller's to close; only the memory is ours to undo.
            AlignedMapper.unmap(address, request.length(), granule);
            throw t;
        }
    }

    /**
     * Starts describing a mapping.
     *
     * @return fresh options: DEFAULT access, offset 0, length 0 (whole file), align 1
     */
    public static MmapOptions options() {
        return new MmapOptions();
    }

    /**
     * Returns the address of the first mapped byte: a multiple of {@link #alignment()}, and the
     * byte at the file offset the mapping was made for.
     *
     * @return the address
     * @throws IllegalStateException if closed
     */
    public long address() {
        return view().segment().address();
    }

    /**
     * Returns the alignment asked for; {@link #address()} is a multiple of it (and may happen to
     * be a multiple of a larger power of two).
     *
     * @return a power of two, 1 when any address was accepted
     */
    public long alignment() {
        return alignment;
    }

    /**
     * Returns the number of mapped bytes, CPython's {@code len(m)}.
     *
     * @return the length
     * @throws IllegalStateException if closed
     */
    public long length() {
        return view().segment().byteSize();
    }

    /**
     * Returns the offset in the file where the mapping starts; 0 for anonymous memory.
     *
     * @return the file offset
     */
    public long offset() {
        return fileOffset;
    }

    /**
     * Returns the access mode the mapping was made with.
     *
     * @return the access mode ({@link Access#DEFAULT} when flags/prot were given)
     */
    public Access access() {
        return access;
    }

    /**
     * Returns the protection bits the mapping was made with.
     *
     * @return {@code PROT_*} bits from {@link MmapConstants}
     */
    public int prot() {
        return prot;
    }

    /**
     * Returns the flags the mapping was made with.
     *
     * @return {@code MAP_*} bits from {@link MmapConstants}, {@code MAP_ANONYMOUS} for anonymous memory
     */
    public int flags() {
        return flags;
    }

    /**
     * Tells whether the mapping refuses writes ({@link Access#READ}, or a prot without
     * {@code PROT_WRITE}).
     *
     * @return true if read-only
     */
    public boolean isReadOnly() {
        return readOnly;
    }

    /**
     * Tells whether this maps anonymous memory rather than a file.
     *
     * @return true for anonymous memory
     */
    public boolean isAnonymous() {
        return (flags & MmapConstants.MAP_ANONYMOUS) != 0;
    }

    /**
     * Returns the mapped memory: exactly {@link #length()} bytes starting at {@link #address()},
     * read-only for read-only mappings. The segment dies with the mapping: after {@link #close()}
     * (or a resize) every access through it throws {@link IllegalStateException}.
     *
     * @return the segment
     * @throws IllegalStateException if closed
     */
    public MemorySegment segment() {
        return view().segment();
    }

    /**
     * Returns a direct {@link ByteBuffer} over the whole mapping (read-only for read-only
     * mappings), dying with the mapping as {@link #segment()} does.
     *
     * @return the buffer, position 0, capacity {@link #length()}
     * @throws UnsupportedOperationException if the mapping is longer than a buffer can be
     *     ({@code Integer.MAX_VALUE} bytes): use {@link #asByteBuffer(long, int)}
     * @throws IllegalStateException if closed
     */
    public ByteBuffer asByteBuffer() {
        MemorySegment segment = segment();
        if (segment.byteSize() > Integer.MAX_VALUE) {
            throw new UnsupportedOperationException("asByteBuffer(): the mapping's " + segment.byteSize()
                    + " bytes exceed a ByteBuffer's limit of " + Integer.MAX_VALUE
                    + "; use asByteBuffer(offset, length) for a window");
        }
        return segment.asByteBuffer();
    }

    /**
     * Returns a direct {@link ByteBuffer} over part of the mapping, for mappings of any length.
     *
     * @param offset the first byte, from the start of the mapping
     * @param length the buffer's capacity
     * @return the buffer, dying with the mapping
     * @throws IndexOutOfBoundsException if the range is not inside the mapping
     * @throws IllegalStateException if closed
     */
    public ByteBuffer asByteBuffer(long offset, int length) {
        MemorySegment segment = segment();
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        return segment.asSlice(offset, length).asByteBuffer();
    }

    /**
     * Tells whether the mapping is still usable.
     *
     * @return false once {@link #close()} has been called
     */
    public boolean isOpen() {
        return view != null;
    }

    /**
     * Unmaps the memory and closes the descriptor the mapping kept. Idempotent and callable from
     * any thread; afterwards every method and view throws {@link IllegalStateException}. For a
     * mapping bound to a caller's arena, the memory stays until that arena closes.
     *
     * @throws IllegalStateException if a native call of the caller's still holds the memory (a
     *     downcall that was passed {@link #segment()}); the mapping then stays open
     */
    @Override
    public void close() {
        synchronized (lock) {
            View current = view;
            if (current == null) {
                return;
            }
            if (current.arena() != null) {
                // Waits for every thread to leave its access; from then on views throw.
                current.arena().close();
            }
            view = null;
            if (callerArena == null) {
                mapping.release(mapping.generation());
            } else {
                mapping.closeFd();
            }
        }
    }

    @Override
    public String toString() {
        View current = view;
        String where = current == null ? "closed"
                : "address=0x" + Long.toHexString(current.segment().address()) + ", length=" + current.segment().byteSize();
        return "Mmap[" + where + ", align=" + alignment + ", " + (isAnonymous() ? "anonymous" : source + " @" + fileOffset)
                + ", access=" + access + ", prot=" + MmapConstants.describeProt(prot) + ", flags="
                + MmapConstants.describeFlags(flags) + "]";
    }

    private View view() {
        View current = view;
        if (current == null) {
            throw new IllegalStateException("mmap closed or invalid");
        }
        return current;
    }

    private View newView() {
        long address = mapping.address();
        long length = mapping.length();
        MemorySegment segment;
        Arena own = null;
        if (callerArena == null) {
            own = Arena.ofShared();
            segment = MemorySegment.ofAddress(address).reinterpret(length, own, null);
            mapping.releaseWhenUnreachable(own.scope());
        } else {
            // Locals, so that the cleanup action does not capture (and keep alive) this object.
            NativeMapping resources = mapping;
            int generation = resources.generation();
            segment = MemorySegment.ofAddress(address).reinterpret(length, callerArena,
                    ignored -> resources.release(generation));
        }
        return new View(own, readOnly ? segment.asReadOnly() : segment);
    }
}
