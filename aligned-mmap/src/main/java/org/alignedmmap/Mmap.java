package org.alignedmmap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Objects;
import java.util.concurrent.locks.StampedLock;
import org.alignedmmap.internal.AlignedMapper;
import org.alignedmmap.internal.Alignments;
import org.alignedmmap.internal.ByteSearch;
import org.alignedmmap.internal.FileStatus;
import org.alignedmmap.internal.HugePageBaseline;
import org.alignedmmap.internal.HugePageDiagnosis;
import org.alignedmmap.internal.HugePageSupport;
import org.alignedmmap.internal.LibC;
import org.alignedmmap.internal.MemoryLock;
import org.alignedmmap.internal.Mincore;
import org.alignedmmap.internal.NativeMapping;
import org.alignedmmap.internal.Platform;
import org.alignedmmap.internal.Smaps;

/**
 * A memory mapping of a file or of anonymous memory whose start address is a multiple of an
 * alignment the caller chose: CPython's {@code mmap} with the {@code align} parameter proposed in
 * CPython issue 112448, for Java, with all of CPython 3.13's {@code mmap} methods.
 *
 * <pre>{@code
 * try (Mmap m = Mmap.options().align(2L << 20).map(Path.of("data.bin"))) {
 *     long at = m.find("needle".getBytes());   // -1 when absent
 *     m.seek(at);
 *     byte[] line = m.readLine();
 *     MemorySegment bytes = m.segment();        // exactly m.length() bytes at m.address()
 * }
 * }</pre>
 *
 * <h2>CPython's methods, Java's names</h2>
 * {@code len(m)} is {@link #length()}, {@code m.size()} is {@link #fileSize()}, {@code m.tell()}
 * is {@link #position()}, {@code m[i]} is {@link #get(long)} / {@link #put(long, byte)}, slices are
 * {@link #get(long, byte[], int, int)} / {@link #put(long, byte[], int, int)} and {@link
 * #segment()}. Where CPython raises ValueError or OverflowError this class throws {@link
 * IllegalArgumentException}, IndexError becomes {@link IndexOutOfBoundsException}, a write to a
 * read-only mapping {@link java.nio.ReadOnlyBufferException}, and any use after {@link #close()}
 * {@link IllegalStateException}; each message says what was wrong and the values. Indices are
 * never negative, as usual in Java; only {@link #find} and
 * {@link #rfind} take CPython's negative start/end.
 *
 * <h2>Huge pages, and what backs the memory</h2>
 * {@link MmapOptions#hugePages(HugePages)} places the mapping where huge pages can back it and
 * asks for them; {@link MmapOptions#populate(boolean)} faults it in up front, {@link #lock()}
 * keeps it in RAM. {@link #backing()} reports from {@code /proc/self/smaps} which pages back the
 * mapping (base pages, transparent huge pages, hugetlb pages), {@link #residency()} from {@code
 * mincore} how much of it is resident.
 *
 * <h2>Lifetime</h2>
 * By default a mapping owns a shared arena: {@link #close()} unmaps the memory at once, from any
 * thread, and from then on every method and every view taken earlier ({@link #segment()}, {@link
 * #asByteBuffer()}) throws {@link IllegalStateException} instead of touching unmapped memory. A
 * {@link #resize(long)} ends the views taken before it in the same way. A mapping that is never
 * closed is unmapped after the garbage collector finds it and all its views unreachable. With
 * {@link MmapOptions#arena(Arena)} the memory belongs to the caller's arena instead.
 *
 * <h2>Faults</h2>
 * If the mapped file shrinks under the mapping (another process truncates it), touching the lost
 * pages raises SIGBUS. Every method here touches the memory from Java code only, where the JVM
 * turns that into an {@link InternalError} the caller can catch; no method passes mapped memory
 * to native code. So every method that reads, writes, searches or copies lost pages (get, put,
 * read, readLine, write, move, find, rfind, the channel methods, and accesses through {@link
 * #segment()} and {@link #asByteBuffer()}) throws {@code InternalError}, and the mapping stays
 * usable for the pages that remain; {@link #flush}, {@link #advise} and {@link #fileSize()}, which
 * only ask the kernel, keep working.
 *
 * <p>Memory mapped without {@code PROT_READ} and {@code PROT_WRITE} ({@code PROT_NONE}, or {@code
 * PROT_EXEC} alone, which some CPUs make execute-only) cannot be read at all: a Java access
 * would crash the JVM with SIGSEGV. Such a mapping keeps its address, length, {@link #flush},
 * {@link #advise} and {@link #close()}, but {@link #segment()}, {@link #asByteBuffer()} and every
 * method that reads or writes its bytes throw {@link UnsupportedOperationException}.
 *
 * <h2>Threads</h2>
 * {@link #close()} may be called from any thread at any time; other threads using the mapping
 * then get {@link IllegalStateException} (a {@link #flush} or {@link #advise} under way finishes
 * first: they keep the memory mapped for the duration of their system call). On JDK 25 a thread
 * whose access the close cut short may also find its interrupt status set, a JDK bug (JDK-8306324,
 * the handshake that delivers the arena's "Already closed" interrupts the thread); {@link
 * Thread#interrupted()} after the exception clears it. The methods of this class wait for each
 * other: a close waits for the ones under way to finish. Views may be shared between threads as
 * any memory segment, but a view accessed directly while another thread closes the mapping
 * relies on the JDK's shared-arena close alone, which on JDK 25 can let an access already under
 * way touch the unmapped memory and crash the JVM (JDK-8364167, fixed in later JDKs): stop using
 * views before closing, or use this class's methods, which never race that way. The position-based methods ({@link #read}, {@link
 * #write}, {@link #seek}, ...) share one position and are not synchronized, like a stream.
 */
public final class Mmap implements SeekableByteChannel {
    private static final byte NEWLINE = '\n';

    private final NativeMapping mapping;
    private final long alignment;
    private final long fileOffset;
    private final String source;
    private final Access access;
    private final int prot;
    private final int flags;
    private final boolean readOnly;
    /** False for PROT_NONE and PROT_EXEC alone: any access from Java would be a SIGSEGV. */
    private final boolean accessible;
    private final Arena callerArena;
    private final boolean trackFd;
    /** The huge page and population choices, as resolved when mapping; reapplied by resize. */
    private final HugePageSupport.Plan plan;
    /** Whether {@link #lock()} is in force; guarded by {@link #lock}. A resize keeps it. */
    private boolean locked;
    /** An own arena confined to the creating thread: cheap to close, usable by that thread only. */
    private final boolean confined;
    /** Serializes close and resize, the two operations that replace the view. */
    private final Object lock = new Object();
    /**
     * Read-held by every method of this class that touches the mapped memory, write-held by
     * close and resize while they retire the view. On JDK 25 closing a shared arena does not
     * reliably wait for a thread that is inside a memory access (JDK-8364167: a use after unmap,
     * SIGSEGV, seen here under a concurrent close); this lock makes the methods of this class
     * safe whatever the JDK does. Never taken twice by one thread: StampedLock is not reentrant.
     */
    private final StampedLock users = new StampedLock();

    /**
     * Issue 13: what was true before the mapping was touched (page cache, fallback counters), for
     * {@link #hugePageReport()}; null unless mapped with huge pages. Set once, right after creation.
     */
    private volatile HugePageBaseline hugePageBaseline;

    /** The live view of the memory; null once closed. Replaced, never mutated, by a resize. */
    private volatile View view;

    /** CPython's {@code pos}: may exceed the length after a resize shrinks the mapping. */
    private long position;

    /**
     * The memory as seen through one arena generation.
     *
     * @param arena the arena this object owns and closes, or null when bound to a caller's
     * @param segment exactly the mapped bytes, read-only for read-only mappings
     */
    private record View(Arena arena, MemorySegment segment) {}

    /**
     * What {@link MmapOptions} resolved; the descriptor is kept only when {@code keepsFd}; {@code
     * trackFd} is the option as given (it also forbids resizing anonymous memory, as in CPython);
     * {@code align} and {@code flags} are the plan's (raised to and including huge pages).
     */
    record Request(int fd, boolean keepsFd, String source, long offset, long length, long align, int prot,
                   int flags, Access access, Arena arena, boolean trackFd, boolean confined,
                   HugePageSupport.Plan plan) {}

    private Mmap(NativeMapping mapping, Request request) {
        this.mapping = mapping;
        this.alignment = request.align();
        this.fileOffset = request.offset();
        this.source = request.source();
        this.access = request.access();
        this.prot = request.prot();
        this.flags = request.flags();
        this.readOnly = (request.prot() & MmapConstants.PROT_WRITE) == 0;
        this.accessible = (request.prot() & (MmapConstants.PROT_READ | MmapConstants.PROT_WRITE)) != 0;
        this.callerArena = request.arena();
        this.trackFd = request.trackFd();
        this.plan = request.plan();
        this.confined = request.confined();
        this.view = newView();
    }

    static Mmap create(Request request) throws ErrnoException {
        if (request.arena() != null && !request.arena().scope().isAlive()) {
            throw new IllegalArgumentException("arena must be alive, was already closed: " + request.arena());
        }
        long granule = request.plan().granule();
        long address = HugePageSupport.map(request.plan(), request.length(), request.prot(), request.fd(),
                request.offset());
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

    // ---- what the mapping is --------------------------------------------------------------

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
     * Returns the size of the mapped file now, CPython's {@code m.size()} (which is not the
     * mapping's length: see {@link #length()}).
     *
     * @return the file's size in bytes
     * @throws IllegalStateException if closed, or if the mapping keeps no descriptor (anonymous
     *     memory, or {@link MmapOptions#trackFd(boolean) trackFd(false)}; CPython: EBADF)
     * @throws ErrnoException if the file cannot be inspected
     */
    public long fileSize() throws ErrnoException {
        // Neither close() nor the closing of a caller's arena may close the descriptor (and let
        // its number be reused for another file) between the check and the call.
        synchronized (lock) {
            view();
            synchronized (mapping) {
                int fd = mapping.fd();
                if (fd < 0) {
                    throw new IllegalStateException("fileSize(): the mapping keeps no file descriptor ("
                            + (isAnonymous() ? "anonymous memory" : "mapped with trackFd(false)") + ")");
                }
                return FileStatus.of(fd).size();
            }
        }
    }

    /**
     * Returns the kind of pages the mapping was asked to be backed by; {@link #backing()} tells
     * what it got.
     *
     * @return the {@link MmapOptions#hugePages(HugePages)} choice, {@link HugePages#NONE} by default
     */
    public HugePages hugePages() {
        return plan.hugePages();
    }

    // ---- what backs the memory -------------------------------------------------------------

    /**
     * Reads what backs the mapping now, from {@code /proc/self/smaps}: resident memory, huge
     * pages of each kind, swap, locked memory. The range is the whole mapping, rounded up to
     * whole pages (whole huge pages for hugetlb). For part of it, use {@link
     * Backing#of(MemorySegment)} on a slice of {@link #segment()}.
     *
     * @return the counters; {@link Backing#exact()} is false when the kernel merged the mapping
     *     with a neighbour into one VMA, whose counters then include the neighbour's pages
     * @throws IllegalStateException if closed, or bound to an arena that is closed
     * @throws WrongThreadException if the mapping is confined to another thread
     * @throws java.io.UncheckedIOException if {@code /proc/self/smaps} cannot be read
     */
    public Backing backing() {
        synchronized (lock) {
            MemorySegment segment = liveSegment();
            return Smaps.backing(Smaps.SELF, segment.address(), segment.address() + span(segment));
        }
    }

    /**
     * Tells how much of the mapping is in huge pages and what keeps the rest out of them: the
     * transparent huge page mode and advice, the mapping's length, address and file offset, the
     * file system, small folios the page cache held before the mapping touched it, untouched
     * pages, the hugetlb pool, fragmentation. Each obstacle comes with the evidence found and
     * its remedy ({@link HugePageObstacle}).
     *
     * <p>Reads {@code /proc/self/smaps} (as {@link #backing()} does, and at the same cost: the
     * kernel walks the mapping's page tables, tens of milliseconds per gigabyte mapped in base
     * pages), {@code /proc/self/maps}, {@code /proc/self/mountinfo}, {@code /proc/vmstat}, {@code
     * /proc/buddyinfo} and {@code /sys/kernel/mm}: meant for diagnosis, not for a loop. Mappings
     * made with {@link MmapOptions#hugePages(HugePages) hugePages(TRANSPARENT)} also compare with
     * what was recorded when they were made (which huge-page blocks of the range had pages in
     * the page cache, the kernel's fallback counters); {@link HugePageObstacle} says which
     * findings are inferred. After a {@link #resize(long)} that record describes the original
     * range.
     *
     * @return the report
     * @throws IllegalStateException if closed, or bound to an arena that is closed
     * @throws WrongThreadException if the mapping is confined to another thread
     * @throws java.io.UncheckedIOException if {@code /proc/self/smaps} cannot be read
     */
    public HugePageReport hugePageReport() {
        synchronized (lock) {
            MemorySegment segment = liveSegment();
            boolean shared = (flags & MmapConstants.MAP_TYPE) != MmapConstants.MAP_PRIVATE;
            return HugePageDiagnosis.report(segment.address(), segment.byteSize(), span(segment),
                    isAnonymous() ? -1 : fileOffset, shared, plan.isHugetlb(), mapping.granule(), hugePageBaseline);
        }
    }

    /** Issue 13: called once by {@link MmapOptions} right after creation. */
    void hugePageBaseline(HugePageBaseline baseline) {
        this.hugePageBaseline = baseline;
    }

    /**
     * Counts the mapping's resident pages with {@code mincore(2)}. For anonymous memory that is
     * what has been touched (or populated); for a file mapping it is what the page cache holds,
     * whether or not this mapping touched it (see {@link Residency}).
     *
     * @return resident and total base pages of the whole mapping, rounded up to whole pages
     *     (whole huge pages for hugetlb)
     * @throws IllegalStateException if closed, or bound to an arena that is closed
     * @throws WrongThreadException if the mapping is confined to another thread
     * @throws ErrnoException if {@code mincore} fails, which it does only for unmapped memory
     */
    public Residency residency() throws ErrnoException {
        synchronized (lock) {
            MemorySegment segment = liveSegment();
            long span = span(segment);
            long page = Platform.pageSize();
            return new Residency(Mincore.residentPages(segment.address(), span), span / page, page);
        }
    }

    /**
     * Locks the whole mapping in memory with {@code mlock(2)}: every page is faulted in now and
     * stays resident (not swapped, not dropped from the page cache) until {@link #unlock()}, a
     * {@link #close()} or the process ends. A {@link #resize(long)} keeps the lock, and what it
     * adds is locked too. Locking twice is harmless (locks do not nest).
     *
     * <p>Locked memory counts against {@code RLIMIT_MEMLOCK} ({@code ulimit -l}), often 8 MiB
     * or 64 KiB for unprivileged processes, unless the process has {@code CAP_IPC_LOCK}.
     *
     * @throws IllegalStateException if closed, or bound to an arena that is closed
     * @throws WrongThreadException if the mapping is confined to another thread
     * @throws ErrnoException ENOMEM (or EPERM with a limit of 0) when the limit does not allow
     *     it, EAGAIN when the pages could not be locked; the message gives {@code
     *     RLIMIT_MEMLOCK}'s soft and hard values, the bytes asked and the bytes already locked.
     *     The mapping stays as it was, unlocked
     */
    public void lock() throws ErrnoException {
        synchronized (lock) {
            MemorySegment segment = liveSegment();
            MemoryLock.lock(segment.address(), span(segment));
            locked = true;
        }
    }

    /**
     * Undoes {@link #lock()} with {@code munlock(2)}: the pages may be swapped or dropped again.
     * Harmless on a mapping that is not locked.
     *
     * @throws IllegalStateException if closed, or bound to an arena that is closed
     * @throws WrongThreadException if the mapping is confined to another thread
     * @throws ErrnoException if {@code munlock} fails, which it does only for unmapped memory
     */
    public void unlock() throws ErrnoException {
        synchronized (lock) {
            MemorySegment segment = liveSegment();
            MemoryLock.unlock(segment.address(), span(segment));
            locked = false;
        }
    }

    /** The mapped span: the length rounded up to whole pages (whole huge pages for hugetlb). */
    private long span(MemorySegment segment) {
        return Alignments.alignUp(segment.byteSize(), mapping.granule());
    }

    // ---- views ----------------------------------------------------------------------------

    /**
     * Returns the mapped memory: exactly {@link #length()} bytes starting at {@link #address()},
     * read-only for read-only mappings. The segment dies with the mapping: after {@link #close()}
     * (or a resize) every access through it throws {@link IllegalStateException}.
     *
     * @return the segment
     * @throws IllegalStateException if closed
     * @throws UnsupportedOperationException if the mapping can be neither read nor written
     *     ({@code PROT_NONE}, or {@code PROT_EXEC} alone)
     */
    public MemorySegment segment() {
        MemorySegment segment = view().segment();
        if (!accessible) {
            throw new UnsupportedOperationException("the mapping has no PROT_READ or PROT_WRITE (prot "
                    + MmapConstants.describeProt(prot) + "): its memory cannot be accessed");
        }
        return segment;
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

    // ---- indexed access -------------------------------------------------------------------

    /**
     * Reads one byte, CPython's {@code m[index]}.
     *
     * @param index from 0 to {@code length() - 1}
     * @return the byte
     * @throws IndexOutOfBoundsException if {@code index} is outside the mapping
     * @throws IllegalStateException if closed
     */
    public byte get(long index) {
        long stamp = users.readLock();
        try {
            MemorySegment segment = segment();
            return segment.get(JAVA_BYTE, Objects.checkIndex(index, segment.byteSize()));
        } finally {
            users.unlockRead(stamp);
        }
    }

    /**
     * Writes one byte, CPython's {@code m[index] = value}.
     *
     * @param index from 0 to {@code length() - 1}
     * @param value the byte
     * @throws IndexOutOfBoundsException if {@code index} is outside the mapping
     * @throws java.nio.ReadOnlyBufferException if the mapping is read-only
     * @throws IllegalStateException if closed
     */
    public void put(long index, byte value) {
        long stamp = users.readLock();
        try {
            MemorySegment segment = writableSegment("put");
            segment.set(JAVA_BYTE, Objects.checkIndex(index, segment.byteSize()), value);
        } finally {
            users.unlockRead(stamp);
        }
    }

    /**
     * Copies {@code dst.length} bytes starting at {@code index} into {@code dst}.
     *
     * @param index the first byte
     * @param dst the destination
     * @throws IndexOutOfBoundsException if the range is outside the mapping
     * @throws IllegalStateException if closed
     */
    public void get(long index, byte[] dst) {
        get(index, dst, 0, dst.length);
    }

    /**
     * Copies {@code length} bytes starting at {@code index} into {@code dst[offset ..]},
     * CPython's {@code m[index:index + length]}.
     *
     * @param index the first byte in the mapping
     * @param dst the destination
     * @param offset the first index in {@code dst}
     * @param length how many bytes
     * @throws IndexOutOfBoundsException if either range is out of bounds
     * @throws IllegalStateException if closed
     */
    public void get(long index, byte[] dst, int offset, int length) {
        long stamp = users.readLock();
        try {
            MemorySegment segment = segment();
            Objects.checkFromIndexSize(index, length, segment.byteSize());
            Objects.checkFromIndexSize(offset, length, dst.length);
            MemorySegment.copy(segment, JAVA_BYTE, index, dst, offset, length);
        } finally {
            users.unlockRead(stamp);
        }
    }

    /**
     * Returns a copy of {@code length} bytes starting at {@code index}, CPython's
     * {@code m[index:index + length]} within bounds.
     *
     * @param index the first byte
     * @param length how many bytes
     * @return a new array
     * @throws IndexOutOfBoundsException if the range is outside the mapping
     * @throws IllegalStateException if closed
     */
    public byte[] getBytes(long index, int length) {
        byte[] bytes = new byte[length];
        get(index, bytes, 0, length);
        return bytes;
    }

    /**
     * Writes all of {@code src} starting at {@code index}.
     *
     * @param index the first byte
     * @param src the bytes
     * @throws IndexOutOfBoundsException if the range is outside the mapping
     * @throws java.nio.ReadOnlyBufferException if the mapping is read-only
     * @throws IllegalStateException if closed
     */
    public void put(long index, byte[] src) {
        put(index, src, 0, src.length);
    }

    /**
     * Writes {@code src[offset .. offset + length)} starting at {@code index}, CPython's
     * {@code m[index:index + length] = src}.
     *
     * @param index the first byte in the mapping
     * @param src the bytes
     * @param offset the first index in {@code src}
     * @param length how many bytes
     * @throws IndexOutOfBoundsException if either range is out of bounds
     * @throws java.nio.ReadOnlyBufferException if the mapping is read-only
     * @throws IllegalStateException if closed
     */
    public void put(long index, byte[] src, int offset, int length) {
        long stamp = users.readLock();
        try {
            MemorySegment segment = writableSegment("put");
            Objects.checkFromIndexSize(index, length, segment.byteSize());
            Objects.checkFromIndexSize(offset, length, src.length);
            MemorySegment.copy(src, offset, segment, JAVA_BYTE, index, length);
        } finally {
            users.unlockRead(stamp);
        }
    }

    // ---- the file-like API ----------------------------------------------------------------

    /**
     * Returns the current position, CPython's {@code tell()}. It may exceed {@link #length()}
     * after a resize shrank the mapping.
     *
     * @return the position
     * @throws IllegalStateException if closed
     */
    @Override
    public long position() {
        view();
        return position;
    }

    /**
     * Sets the position, as {@link SeekableByteChannel} allows: any value {@code >= 0}, also past
     * the end (where reads return nothing and writes fail). {@link #seek(long)} is the stricter
     * CPython equivalent.
     *
     * @param newPosition the new position
     * @return this mapping
     * @throws IllegalArgumentException if {@code newPosition} is negative
     * @throws IllegalStateException if closed
     */
    @Override
    public Mmap position(long newPosition) {
        view();
        if (newPosition < 0) {
            throw new IllegalArgumentException("position must be >= 0, was " + newPosition);
        }
        position = newPosition;
        return this;
    }

    /**
     * Moves the position to {@code pos}, CPython's {@code seek(pos)}.
     *
     * @param pos from 0 to {@link #length()} inclusive
     * @return the new position
     * @throws IllegalArgumentException if {@code pos} is outside {@code [0, length()]} ("seek out
     *     of range")
     * @throws IllegalStateException if closed
     */
    public long seek(long pos) {
        return seek(pos, Whence.SET);
    }

    /**
     * Moves the position relative to the start, the current position or the end, CPython's
     * {@code seek(offset, whence)}.
     *
     * @param offset the distance, may be negative
     * @param whence where to count from
     * @return the new position
     * @throws IllegalArgumentException if the target is outside {@code [0, length()]}
     * @throws IllegalStateException if closed
     */
    public long seek(long offset, Whence whence) {
        long length = length();
        long base = switch (Objects.requireNonNull(whence, "whence")) {
            case SET -> 0;
            case CURRENT -> position;
            case END -> length;
        };
        long target = base + offset;
        boolean overflow = ((base ^ target) & (offset ^ target)) < 0;
        if (overflow || target < 0 || target > length) {
            throw new IllegalArgumentException("seek out of range: offset " + offset + " from " + whence
                    + " (position " + position + ", length " + length + ") lands outside [0, " + length + "]");
        }
        position = target;
        return target;
    }

    /**
     * Reads up to {@code n} bytes from the position and advances it, CPython's {@code read(n)}.
     * Past the end it returns what remains, possibly nothing.
     *
     * @param n how many bytes; negative means all that remain
     * @return the bytes read, at most {@code n}
     * @throws IllegalArgumentException if more than {@code Integer.MAX_VALUE - 8} bytes remain and
     *     all of them were asked for
     * @throws IllegalStateException if closed
     */
    public byte[] read(int n) {
        long stamp = users.readLock();
        try {
            MemorySegment segment = segment();
            long remaining = Math.max(0, segment.byteSize() - position);
            long count = n < 0 ? remaining : Math.min(n, remaining);
            if (count > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("read: " + count + " bytes remain, more than an array holds; "
                        + "read in parts or use segment()");
            }
            if (count == 0) {
                // The position may lie past the end after a resize shrank the mapping: nothing to copy.
                return new byte[0];
            }
            byte[] bytes = new byte[(int) count];
            MemorySegment.copy(segment, JAVA_BYTE, position, bytes, 0, (int) count);
            position += count;
            return bytes;
        } finally {
            users.unlockRead(stamp);
        }
    }

    /**
     * Reads everything from the position to the end, CPython's {@code read()}.
     *
     * @return the bytes
     * @throws IllegalArgumentException if more remains than an array holds
     * @throws IllegalStateException if closed
     */
    public byte[] read() {
        return read(-1);
    }

    /**
     * Reads the byte at the position and advances it, CPython's {@code read_byte()}.
     *
     * @return the byte as an unsigned value, 0 to 255
     * @throws IllegalArgumentException if the position is at or past the end ("read byte out of range")
     * @throws IllegalStateException if closed
     */
    public int readByte() {
        long stamp = users.readLock();
        try {
            MemorySegment segment = segment();
            if (position >= segment.byteSize()) {
                throw new IllegalArgumentException("read byte out of range: position " + position + ", length "
                        + segment.byteSize());
            }
            return Byte.toUnsignedInt(segment.get(JAVA_BYTE, position++));
        } finally {
            users.unlockRead(stamp);
        }
    }

    /**
     * Reads from the position up to and including the next {@code '\n'} (or to the end) and
     * advances past it, CPython's {@code readline()}.
     *
     * @return the line with its newline; empty at the end
     * @throws IllegalArgumentException if the line is longer than an array holds
     * @throws IllegalStateException if closed
     */
    public byte[] readLine() {
        long stamp = users.readLock();
        try {
            MemorySegment segment = segment();
            long length = segment.byteSize();
            if (position >= length) {
                return new byte[0];
            }
            long newline = ByteSearch.indexOf(segment, position, length, NEWLINE);
            long end = newline < 0 ? length : newline + 1;
            long count = end - position;
            if (count > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("readLine: a line of " + count + " bytes is more than an array holds");
            }
            byte[] line = new byte[(int) count];
            MemorySegment.copy(segment, JAVA_BYTE, position, line, 0, (int) count);
            position = end;
            return line;
        } finally {
            users.unlockRead(stamp);
        }
    }

    /**
     * Writes all of {@code data} at the position and advances it, CPython's {@code write()}.
     * Nothing is written unless everything fits.
     *
     * @param data the bytes
     * @return {@code data.length}
     * @throws IllegalArgumentException if the bytes do not fit between the position and the end
     *     ("data out of range")
     * @throws java.nio.ReadOnlyBufferException if the mapping is read-only
     * @throws IllegalStateException if closed
     */
    public int write(byte[] data) {
        return write(data, 0, data.length);
    }

    /**
     * Writes {@code data[offset .. offset + count)} at the position and advances it.
     *
     * @param data the bytes
     * @param offset the first index in {@code data}
     * @param count how many bytes
     * @return {@code count}
     * @throws IllegalArgumentException if the bytes do not fit between the position and the end
     * @throws IndexOutOfBoundsException if the range is outside {@code data}
     * @throws java.nio.ReadOnlyBufferException if the mapping is read-only
     * @throws IllegalStateException if closed
     */
    public int write(byte[] data, int offset, int count) {
        long stamp = users.readLock();
        try {
            MemorySegment segment = writableSegment("write");
            Objects.checkFromIndexSize(offset, count, data.length);
            long length = segment.byteSize();
            if (position > length || length - position < count) {
                throw new IllegalArgumentException("data out of range: " + count + " bytes at position " + position
                        + " do not fit in length " + length);
            }
            MemorySegment.copy(data, offset, segment, JAVA_BYTE, position, count);
            position += count;
            return count;
        } finally {
            users.unlockRead(stamp);
        }
    }

    /**
     * Writes one byte at the position and advances it, CPython's {@code write_byte()}.
     *
     * @param value the byte, -128 to 255 (stored as its low eight bits)
     * @throws IllegalArgumentException if {@code value} is outside that range, or the position is
     *     at or past the end ("write byte out of range")
     * @throws java.nio.ReadOnlyBufferException if the mapping is read-only
     * @throws IllegalStateException if closed
     */
    public void writeByte(int value) {
        long stamp = users.readLock();
        try {
            MemorySegment segment = writableSegment("writeByte");
            if (value < Byte.MIN_VALUE || value > 0xFF) {
                throw new IllegalArgumentException("writeByte: value must be a byte (-128 to 255), was " + value);
            }
            if (position >= segment.byteSize()) {
                throw new IllegalArgumentException("write byte out of range: position " + position + ", length "
                        + segment.byteSize());
            }
            segment.set(JAVA_BYTE, position++, (byte) value);
        } finally {
            users.unlockRead(stamp);
        }
    }

    // ---- search ---------------------------------------------------------------------------

    /**
     * Finds {@code sub} from the current position to the end, CPython's {@code find(sub)}.
     *
     * @param sub the bytes to find
     * @return the lowest index {@code >= position()} where {@code sub} starts, or -1
     * @throws IllegalStateException if closed
     */
    public long find(byte[] sub) {
        return find(sub, position, Long.MAX_VALUE);
    }

    /**
     * Finds {@code sub} from {@code start} to the end, CPython's {@code find(sub, start)}.
     *
     * @param sub the bytes to find
     * @param start where to start; negative counts from the end; clamped to the mapping
     * @return the lowest index where {@code sub} starts, or -1
     * @throws IllegalStateException if closed
     */
    public long find(byte[] sub, long start) {
        return find(sub, start, Long.MAX_VALUE);
    }

    /**
     * Finds the lowest index in {@code [start, end)} where all of {@code sub} lies, CPython's
     * {@code find(sub, start, end)}: {@code start} and {@code end} are read as in a slice
     * (negative counts from the end; both are clamped to {@code [0, length()]}). An empty
     * {@code sub} is found at {@code start} if {@code start <= end}.
     *
     * @param sub the bytes to find
     * @param start the range's start
     * @param end the range's end (exclusive)
     * @return the index, or -1
     * @throws IllegalStateException if closed
     */
    public long find(byte[] sub, long start, long end) {
        return search(sub, start, end, false);
    }

    /**
     * Finds the last occurrence of {@code sub} from the current position to the end, CPython's
     * {@code rfind(sub)}.
     *
     * @param sub the bytes to find
     * @return the highest index {@code >= position()} where {@code sub} starts, or -1
     * @throws IllegalStateException if closed
     */
    public long rfind(byte[] sub) {
        return rfind(sub, position, Long.MAX_VALUE);
    }

    /**
     * Finds the last occurrence of {@code sub} from {@code start} to the end.
     *
     * @param sub the bytes to find
     * @param start where the range starts, read as in a slice
     * @return the highest index where {@code sub} starts, or -1
     * @throws IllegalStateException if closed
     */
    public long rfind(byte[] sub, long start) {
        return rfind(sub, start, Long.MAX_VALUE);
    }

    /**
     * Finds the highest index in {@code [start, end)} where all of {@code sub} lies, CPython's
     * {@code rfind(sub, start, end)}, with the slice rules of {@link #find(byte[], long, long)}.
     * An empty {@code sub} is found at {@code end} if {@code start <= end}.
     *
     * @param sub the bytes to find
     * @param start the range's start
     * @param end the range's end (exclusive)
     * @return the index, or -1
     * @throws IllegalStateException if closed
     */
    public long rfind(byte[] sub, long start, long end) {
        return search(sub, start, end, true);
    }

    /** find and rfind: CPython's slice rules for start and end, then the search kernels. */
    private long search(byte[] sub, long start, long end, boolean last) {
        long stamp = users.readLock();
        try {
            Objects.requireNonNull(sub, "sub");
            MemorySegment segment = segment();
            long length = segment.byteSize();
            long from = sliceIndex(start, length);
            long to = sliceIndex(end, length);
            if (from > to) {
                return -1;
            }
            return last ? ByteSearch.lastIndexOf(segment, from, to, sub) : ByteSearch.indexOf(segment, from, to, sub);
        } finally {
            users.unlockRead(stamp);
        }
    }

    /** Python's slice index rules: negative counts from the end, then clamp to [0, length]. */
    private static long sliceIndex(long index, long length) {
        if (index < 0) {
            index += length;
            return Math.max(index, 0);
        }
        return Math.min(index, length);
    }

    // ---- whole-range operations -----------------------------------------------------------

    /**
     * Copies {@code count} bytes from {@code src} to {@code dest} within the mapping; the ranges
     * may overlap. CPython's {@code move(dest, src, count)}.
     *
     * @param dest where the bytes go
     * @param src where they come from
     * @param count how many
     * @throws IllegalArgumentException if any value is negative or a range leaves the mapping
     *     ("source, destination, or count out of range")
     * @throws java.nio.ReadOnlyBufferException if the mapping is read-only
     * @throws IllegalStateException if closed
     */
    public void move(long dest, long src, long count) {
        long stamp = users.readLock();
        try {
            MemorySegment segment = writableSegment("move");
            long length = segment.byteSize();
            if (count < 0 || src < 0 || dest < 0 || length - dest < count || length - src < count) {
                throw new IllegalArgumentException("source, destination, or count out of range: dest " + dest + ", src "
                        + src + ", count " + count + ", length " + length);
            }
            MemorySegment.copy(segment, src, segment, dest, count);
        } finally {
            users.unlockRead(stamp);
        }
    }

    /**
     * Writes the whole mapping back to the file and waits ({@code msync(MS_SYNC)}), CPython's
     * {@code flush()}. Does nothing for {@link Access#READ} and {@link Access#COPY} mappings,
     * whose file never changes through them.
     *
     * @throws ErrnoException if the write-back fails (EIO)
     * @throws IllegalStateException if closed
     */
    public void flush() throws ErrnoException {
        flush(0, length());
    }

    /**
     * Writes {@code [offset, offset + size)} back to the file and waits, CPython's
     * {@code flush(offset, size)}. Unlike CPython, {@code offset} need not be a multiple of the
     * page size: the range is widened to whole pages, which covers exactly the bytes asked for.
     *
     * @param offset the first byte
     * @param size how many bytes
     * @throws IllegalArgumentException if the range is not inside the mapping ("flush values out
     *     of range")
     * @throws ErrnoException if the write-back fails (EIO)
     * @throws IllegalStateException if closed
     */
    public void flush(long offset, long size) throws ErrnoException {
        MemorySegment segment = view().segment();
        long length = segment.byteSize();
        if (size < 0 || offset < 0 || length - offset < size) {
            throw new IllegalArgumentException("flush values out of range: offset " + offset + ", size " + size
                    + ", length " + length);
        }
        if (access == Access.READ || access == Access.COPY || size == 0) {
            return;
        }
        // The mapping starts on a page boundary, so rounding the offset rounds the address.
        long pageStart = Alignments.alignDown(offset, Platform.pageSize());
        synchronized (lock) {
            // Under the lock close() and resize() cannot unmap the range (and let its addresses be
            // reused) during the call; passing the segment keeps a caller's arena open meanwhile.
            // A view that died in between makes the downcall throw IllegalStateException.
            view();
            LibC.msync(segment.asSlice(pageStart, offset + size - pageStart), MmapConstants.MS_SYNC);
        }
    }

    /**
     * Advises the kernel about the whole mapping, CPython's {@code madvise(option)}.
     *
     * @param advice the advice
     * @throws ErrnoException if the kernel refuses it (EINVAL: not supported here or not for this
     *     kind of mapping)
     * @throws IllegalStateException if closed
     */
    public void advise(Advice advice) throws ErrnoException {
        advise(advice, 0, length());
    }

    /**
     * Advises the kernel about {@code [start, length())}, CPython's {@code madvise(option, start)}.
     *
     * @param advice the advice
     * @param start the first byte, a multiple of the page size
     * @throws IllegalArgumentException if {@code start} is out of bounds or not page-aligned
     * @throws ErrnoException if the kernel refuses the advice
     * @throws IllegalStateException if closed
     */
    public void advise(Advice advice, long start) throws ErrnoException {
        advise(advice, start, length());
    }

    /**
     * Advises the kernel about {@code [start, start + length)}, clamped to the mapping, CPython's
     * {@code madvise(option, start, length)}.
     *
     * @param advice the advice
     * @param start the first byte, a multiple of the page size (the kernel's rule, checked here)
     * @param length how many bytes; clamped to the end of the mapping
     * @throws IllegalArgumentException if {@code start} is outside the mapping ("madvise start out
     *     of bounds") or not page-aligned, {@code length} is negative ("madvise length invalid"), or
     *     {@code start + length} overflows ("madvise length too large")
     * @throws ErrnoException if the kernel refuses the advice
     * @throws IllegalStateException if closed
     */
    public void advise(Advice advice, long start, long length) throws ErrnoException {
        Objects.requireNonNull(advice, "advice");
        MemorySegment segment = view().segment();
        long size = segment.byteSize();
        if (start < 0 || start >= size) {
            throw new IllegalArgumentException("madvise start out of bounds: start " + start + ", length " + size);
        }
        if (length < 0) {
            throw new IllegalArgumentException("madvise length invalid: " + length);
        }
        if (Long.MAX_VALUE - start < length) {
            throw new IllegalArgumentException("madvise length too large: start " + start + " + length " + length
                    + " overflows");
        }
        long page = Platform.pageSize();
        if (start % page != 0) {
            throw new IllegalArgumentException("madvise start must be a multiple of the page size " + page + ", was "
                    + start);
        }
        long clamped = Math.min(length, size - start);
        synchronized (lock) {
            // As in flush: the range stays mapped until the call returns.
            view();
            LibC.madvise(segment.asSlice(start, clamped), advice.value());
        }
    }

    /**
     * Changes the mapping's length, and for a file mapping the file's size to {@code offset() +
     * newLength}, as CPython's {@code resize()} does. The address stays a multiple of {@link
     * #alignment()}; the contents up to the shorter length survive; the position is kept (it may
     * end up past the end). Views taken before throw {@link IllegalStateException} afterwards,
     * even if the resize fails. A failed resize leaves the mapping, its contents and the file as
     * they were.
     *
     * <p>Unlike CPython, growing shared anonymous memory works (CPython's mapping then faults with
     * SIGBUS past the old length): such memory is moved into a new mapping of the new length.
     *
     * <p>The mapping keeps its {@link #hugePages()} choice (the huge page alignment, the {@code
     * MADV_HUGEPAGE} advice, hugetlb pages), its {@link #lock()} and its {@link
     * MmapOptions#populate(boolean) population}: what the resize adds is advised, locked and
     * populated like the rest (population best effort, as {@code MAP_POPULATE}'s). hugetlb memory
     * is resized by copying into a new mapping, so the pool must hold the old and the new pages
     * at once.
     *
     * @param newLength the new length, {@code > 0}
     * @throws IllegalArgumentException if {@code newLength <= 0} or too large to round up to whole
     *     pages ("new size out of range")
     * @throws IllegalStateException if closed, or the mapping cannot be resized: read-only or
     *     copy-on-write, made with {@code trackFd(false)} (anonymous memory too, as in CPython), or
     *     bound to a caller's arena
     * @throws ErrnoException if the kernel or the file system refuses (for example EFBIG, ENOSPC,
     *     ENOMEM); nothing changed then
     */
    public void resize(long newLength) throws ErrnoException {
        if (newLength <= 0) {
            throw new IllegalArgumentException("new size out of range: newLength must be > 0, was " + newLength);
        }
        if (newLength > Long.MAX_VALUE - (mapping.granule() - 1)) {
            throw new IllegalArgumentException("new size out of range: newLength " + newLength
                    + " cannot be rounded up to whole pages of " + mapping.granule() + " bytes");
        }
        synchronized (lock) {
            View current = view();
            if (readOnly || access == Access.COPY) {
                throw new IllegalStateException("mmap can't resize a readonly or copy-on-write memory map (access "
                        + access + ", prot " + MmapConstants.describeProt(prot) + ")");
            }
            if (callerArena != null) {
                throw new IllegalStateException("mmap can't resize a mapping bound to a caller's arena: its views "
                        + "live as long as that arena");
            }
            int fd = mapping.fd();
            if (!trackFd || (!isAnonymous() && fd < 0)) {
                throw new IllegalStateException("mmap can't resize with trackFd(false)" + (isAnonymous() ? ""
                        : ": no descriptor to resize the file through"));
            }
            if (!isAnonymous() && Long.MAX_VALUE - fileOffset < newLength) {
                throw new IllegalArgumentException("new size out of range: offset " + fileOffset + " + newLength "
                        + newLength + " overflows");
            }
            long oldLength = current.segment().byteSize();
            // This class's own accesses finish first; then every view of the old generation
            // dies, before any page moves.
            long stamp = users.writeLock();
            try {
                current.arena().close();
                view = null;
                long address = mapping.address();
                try {
                    long resized = isAnonymous() ? resizeAnonymous(address, oldLength, newLength)
                            : resizeFile(fd, address, oldLength, newLength);
                    mapping.moved(resized, newLength);
                    // mremap keeps MADV_HUGEPAGE and mlock on the pages it keeps and adds (and
                    // locks and faults in what it adds); population of what was added is ours.
                    HugePageSupport.populateGrowth(plan, resized, oldLength, newLength);
                } catch (ErrnoException | RuntimeException e) {
                    // The old mapping is intact (the helpers record where it is); a new
                    // generation keeps the dead views' cleaners from touching it.
                    mapping.moved(mapping.address(), mapping.length());
                    throw e;
                } finally {
                    view = newView();
                }
            } finally {
                users.unlockWrite(stamp);
            }
        }
    }

    private long resizeAnonymous(long address, long oldLength, long newLength) throws ErrnoException {
        long granule = mapping.granule();
        boolean shared = (flags & MmapConstants.MAP_TYPE) != MmapConstants.MAP_PRIVATE;
        long oldSpan = Alignments.alignUp(oldLength, granule);
        long newSpan = Alignments.alignUp(newLength, granule);
        // Shared anonymous memory is a shmem object of fixed size: mremap could grow the mapping
        // but not the object, and the new pages would fault. hugetlb mappings cannot be grown or
        // shrunk by mremap at all. Both are copied into a new mapping instead.
        if ((shared && newSpan > oldSpan) || (plan.isHugetlb() && newSpan != oldSpan)) {
            return copyIntoNewMapping(address, oldLength, newLength);
        }
        return AlignedMapper.remap(address, oldLength, newLength, alignment, granule);
    }

    /** Moves the contents into a fresh mapping of the new length, made and advised as this one was. */
    private long copyIntoNewMapping(long address, long oldLength, long newLength) throws ErrnoException {
        long granule = mapping.granule();
        // The same plan: alignment, hugetlb flags, MADV_HUGEPAGE and population as at the start.
        long moved = HugePageSupport.map(plan, newLength, prot, -1, 0);
        try {
            if (locked) {
                MemoryLock.lock(moved, Alignments.alignUp(newLength, granule));
            }
        } catch (ErrnoException | RuntimeException e) {
            AlignedMapper.unmap(moved, newLength, granule);
            throw e;
        }
        long kept = Math.min(oldLength, newLength);
        MemorySegment.copy(MemorySegment.ofAddress(address).reinterpret(kept), 0,
                MemorySegment.ofAddress(moved).reinterpret(newLength), 0, kept);
        AlignedMapper.unmap(address, oldLength, granule);
        return moved;
    }

    private long resizeFile(int fd, long address, long oldLength, long newLength) throws ErrnoException {
        long granule = mapping.granule();
        long oldFileSize = FileStatus.of(fd).size();
        long newFileSize = fileOffset + newLength;
        if (newFileSize > oldFileSize) {
            // Growing the file first is undone exactly by shrinking it back.
            ftruncate(fd, newFileSize);
            try {
                return AlignedMapper.remap(address, oldLength, newLength, alignment, granule);
            } catch (ErrnoException | RuntimeException e) {
                restoreSize(fd, oldFileSize, e);
                throw e;
            }
        }
        // Shrinking the file destroys data, so it comes last, once the mapping has its new length.
        long moved = AlignedMapper.remap(address, oldLength, newLength, alignment, granule);
        try {
            ftruncate(fd, newFileSize);
        } catch (ErrnoException e) {
            try {
                mapping.moved(AlignedMapper.remap(moved, newLength, oldLength, alignment, granule), oldLength);
            } catch (ErrnoException undo) {
                // The mapping keeps its new length over a file that did not shrink: consistent.
                e.addSuppressed(undo);
                mapping.moved(moved, newLength);
            }
            throw e;
        }
        return moved;
    }

    private static void ftruncate(int fd, long size) throws ErrnoException {
        LibC.ftruncate(fd, size);
    }

    private static void restoreSize(int fd, long size, Exception failure) {
        try {
            LibC.ftruncate(fd, size);
        } catch (ErrnoException undo) {
            failure.addSuppressed(undo);
        }
    }

    // ---- SeekableByteChannel --------------------------------------------------------------

    /**
     * Returns the mapping's length, for {@link SeekableByteChannel}: the same as {@link #length()}.
     * (CPython's {@code size()} is {@link #fileSize()}.)
     *
     * @return the length
     * @throws IllegalStateException if closed
     */
    @Override
    public long size() {
        return length();
    }

    /**
     * Reads bytes from the position into {@code dst} and advances both.
     *
     * @param dst the buffer to fill
     * @return how many bytes were read; -1 at or past the end
     * @throws java.nio.ReadOnlyBufferException if {@code dst} is read-only
     * @throws IllegalStateException if closed
     */
    @Override
    public int read(ByteBuffer dst) {
        long stamp = users.readLock();
        try {
            MemorySegment segment = segment();
            if (dst.isReadOnly()) {
                throw new java.nio.ReadOnlyBufferException();
            }
            long remaining = segment.byteSize() - position;
            if (remaining <= 0) {
                return dst.hasRemaining() ? -1 : 0;
            }
            int count = (int) Math.min(dst.remaining(), remaining);
            if (count > 0) {
                if (dst.hasArray()) {
                    // Straight into the array: no segment view of the buffer to make per call.
                    MemorySegment.copy(segment, JAVA_BYTE, position, dst.array(), dst.arrayOffset() + dst.position(), count);
                } else {
                    MemorySegment.copy(segment, position, MemorySegment.ofBuffer(dst), 0, count);
                }
                dst.position(dst.position() + count);
                position += count;
            }
            return count;
        } finally {
            users.unlockRead(stamp);
        }
    }

    /**
     * Writes bytes from {@code src} at the position and advances both. Writes as many as fit
     * before the end.
     *
     * @param src the bytes
     * @return how many bytes were written
     * @throws IOException if no byte fits (the position is at or past the end; see {@link #resize(long)})
     * @throws java.nio.channels.NonWritableChannelException if the mapping is read-only
     * @throws IllegalStateException if closed
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        long stamp = users.readLock();
        try {
            MemorySegment segment = segment();
            if (readOnly) {
                throw new ReadOnlyChannelException("write");
            }
            long remaining = segment.byteSize() - position;
            if (!src.hasRemaining()) {
                return 0;
            }
            if (remaining <= 0) {
                throw new IOException("write: no room at position " + position + " of length " + segment.byteSize()
                        + "; resize() to grow the mapping");
            }
            int count = (int) Math.min(src.remaining(), remaining);
            MemorySegment.copy(MemorySegment.ofBuffer(src), 0, segment, position, count);
            src.position(src.position() + count);
            position += count;
            return count;
        } finally {
            users.unlockRead(stamp);
        }
    }

    /**
     * Shrinks the mapping (and the file) to {@code size} bytes if it is longer, through {@link
     * #resize(long)}, and moves the position back to {@code size} if it was beyond.
     *
     * @param size the new length, {@code > 0} when shrinking
     * @return this mapping
     * @throws IllegalArgumentException if {@code size} is negative, or 0 (a mapping cannot be empty)
     * @throws java.nio.channels.NonWritableChannelException if the mapping is read-only
     * @throws IllegalStateException if closed or not resizable (see {@link #resize(long)})
     * @throws IOException if the resize fails
     */
    @Override
    public Mmap truncate(long size) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("truncate: size must be >= 0, was " + size);
        }
        long length = length(); // closed is reported before read-only, as FileChannel does
        if (readOnly) {
            throw new ReadOnlyChannelException("truncate");
        }
        if (size < length) {
            resize(size);
        }
        if (position > size) {
            position = size;
        }
        return this;
    }

    // ---- lifetime -------------------------------------------------------------------------

    /**
     * Tells whether the mapping is still usable.
     *
     * @return false once {@link #close()} has been called
     */
    @Override
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
            // This class's own accesses finish first; the arena's close then ends the views.
            long stamp = users.writeLock();
            try {
                if (current.arena() != null) {
                    current.arena().close();
                }
                view = null;
            } finally {
                users.unlockWrite(stamp);
            }
            if (callerArena == null) {
                mapping.release(mapping.generation());
            } else {
                mapping.closeFd();
            }
        }
    }

    /**
     * Describes the mapping as CPython's {@code repr} does, plus address and alignment.
     *
     * @return for example {@code Mmap[closed=false, access=WRITE, length=4096, pos=0, offset=0,
     *     address=0x7f0000000000, align=2097152, file=data.bin]}
     */
    @Override
    public String toString() {
        View current = view;
        if (current == null) {
            return "Mmap[closed=true]";
        }
        return "Mmap[closed=false, access=" + access + ", length=" + current.segment().byteSize() + ", pos="
                + position + ", offset=" + fileOffset + ", address=0x" + Long.toHexString(current.segment().address())
                + ", align=" + alignment + ", " + (isAnonymous() ? "anonymous" : "file=" + source) + "]";
    }

    private View view() {
        View current = view;
        if (current == null) {
            throw new IllegalStateException("mmap closed or invalid");
        }
        return current;
    }

    /**
     * Returns the segment for a native call on the raw address: the memory must still be mapped,
     * so a mapping bound to a caller's arena that is closed is refused too.
     */
    private MemorySegment liveSegment() {
        MemorySegment segment = view().segment();
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("the arena this mapping is bound to is closed: its memory is unmapped");
        }
        // The native calls never touch the segment, so the confinement the segment would
        // enforce is checked here.
        if (!segment.isAccessibleBy(Thread.currentThread())) {
            throw new WrongThreadException("the mapping is confined to another thread than " + Thread.currentThread());
        }
        return segment;
    }

    private MemorySegment writableSegment(String operation) {
        MemorySegment segment = view().segment();
        if (readOnly) {
            throw new ReadOnlyMappingException(operation);
        }
        return segment;
    }

    private View newView() {
        long address = mapping.address();
        long length = mapping.length();
        MemorySegment segment;
        Arena own = null;
        if (callerArena == null) {
            // A shared arena lets any thread use and close the mapping, but closing it waits for
            // a handshake with every thread (tens of microseconds); a confined one costs nothing.
            own = confined ? Arena.ofConfined() : Arena.ofShared();
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
