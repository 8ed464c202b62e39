package org.alignedmmap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Objects;
import org.alignedmmap.internal.AccessGuard;
import org.alignedmmap.internal.ByteSearch;
import org.alignedmmap.internal.MappedRegion;
import org.alignedmmap.internal.OperatingSystem;
import org.alignedmmap.internal.PowerOfTwo;

/**
 * A memory mapping of a file or of anonymous memory whose start address is a multiple of an
 * alignment the caller chose: CPython's {@code mmap} with the {@code align} parameter proposed in
 * CPython issue 112448, for Java, with all of CPython 3.13's {@code mmap} methods and the
 * additions of CPython 3.15 ({@link #setName(String)}, {@link #flush(long, long, int)} with
 * flags, {@link #fileSize()} of anonymous memory).
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
 * never negative, as usual in Java; only {@link #find} and {@link #rfind} take CPython's negative
 * start/end. Each method says which CPython behaviour it follows: 3.13's unless it names 3.15.
 *
 * <h2>Huge pages, and what backs the memory</h2>
 * {@link MmapOptions#hugePages(HugePages)} places the mapping where huge pages can back it and
 * asks for them; {@link MmapOptions#populate(boolean)} faults it in up front, {@link #lock()}
 * keeps it in RAM. {@link #backing()} reports from {@code /proc/self/smaps} which pages back the
 * mapping (base pages, transparent huge pages, hugetlb pages), {@link #residency()} from {@code
 * mincore} how much of it is resident.
 *
 * <h2>Lifetime and threads</h2>
 * <p><b>This class's methods.</b> {@link #close()} may be called from any thread at any time
 * (from the owner thread only for a {@link MmapOptions#confined(boolean) confined} mapping). It
 * waits until the methods of this class already under way on other threads have finished, then
 * unmaps; methods called afterwards throw {@link IllegalStateException}. So no method of this
 * class ever touches unmapped memory, whatever the threads do. A {@link #resize(long)} waits for
 * them in the same way, and methods called during a resize wait for it. Readers never wait for
 * each other: each thread announces its call in a counter of its own (see {@code
 * internal.AccessGuard}), so any number of threads may read, search and copy one mapping at
 * once. The position-based methods ({@link #read}, {@link #write}, {@link #seek}, ...) share one
 * position and are not synchronized, like a stream.
 *
 * <p><b>Views.</b> {@link #segment()} and {@link #asByteBuffer()} return memory segments and
 * buffers tied to an arena that the first such call creates: a shared arena (a confined one for
 * a confined mapping). {@link #close()} and {@link #resize(long)} close it, and from then on
 * every access through a view taken earlier throws {@link IllegalStateException} instead of
 * touching unmapped memory. Closing a shared arena costs a handshake with every thread of the
 * JVM (50-90 us on a 2-core VM), which is why a mapping whose views are never taken does not
 * create one and closes in a few microseconds. A view accessed directly by one thread while
 * another closes the mapping relies on the JDK's shared-arena close alone, which on JDK 25 can
 * let an access already under way touch the unmapped memory and crash the JVM (JDK-8364167, fixed
 * in later JDKs): stop using views before closing, or use this class's methods. On JDK 25 a
 * thread whose view access the close cut short may also find its interrupt status set
 * (JDK-8306324); {@link Thread#interrupted()} after the exception clears it.
 *
 * <p><b>A caller's arena.</b> With {@link MmapOptions#arena(Arena)} the memory belongs to that
 * arena: the views are the arena's segments, {@link #close()} ends only this object (and closes
 * its descriptor), and the arena's close unmaps. That close, too, waits for this class's methods
 * under way before it unmaps, and they throw afterwards.
 *
 * <p><b>Forgotten mappings.</b> A mapping that is never closed is unmapped after the garbage
 * collector finds it and all its views unreachable.
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
 * <h2>Memory that cannot be accessed</h2>
 * Memory mapped without {@code PROT_READ} and {@code PROT_WRITE} ({@code PROT_NONE}, or {@code
 * PROT_EXEC} alone, which some CPUs make execute-only) cannot be read at all: a Java access
 * would crash the JVM with SIGSEGV. Such a mapping keeps its address, length, {@link #flush},
 * {@link #advise}, {@link #backing()}, {@link #residency()} and {@link #close()}; every method
 * that reads or writes its bytes (get, put, read, readByte, readLine, write, writeByte, move,
 * find, rfind, the channel's read and write) and the views throw {@link
 * UnsupportedOperationException}, checked before the read-only check.
 */
public final class Mmap implements SeekableByteChannel {
    private static final byte NEWLINE = '\n';

    /** Unmaps the memory of mappings nobody closed, once they and their views are unreachable. */
    private static final Cleaner CLEANER = Cleaner.create();

    private static final String CLOSED = "mmap closed or invalid";
    private static final String ARENA_CLOSED = "the arena this mapping is bound to is closed: its memory is unmapped";

    private final MappedRegion region;
    /** Counts this class's methods in flight; closed by close(), or by the caller's arena. */
    private final AccessGuard guard;
    private final Settings settings;
    private final boolean readOnly;
    /** False for PROT_NONE and PROT_EXEC alone: any access from Java would be a SIGSEGV. */
    private final boolean accessible;
    /** Releases the region when the guard becomes unreachable; null with a caller's arena. */
    private final Cleaner.Cleanable cleanable;
    /** Serializes close, resize and the making of views. */
    private final Object lifecycle = new Object();

    /**
     * The memory this class's methods use, exactly the mapped bytes (read-only for read-only
     * mappings): an unchecked segment guarded by {@link #guard}, or the caller's arena's
     * segment. Replaced by a resize.
     */
    private volatile MemorySegment memory;

    /** The views' segment, made on the first {@link #segment()}; null until then and after resize. */
    private volatile MemorySegment view;
    /** The arena of {@link #view} when this object owns it; guarded by {@link #lifecycle}. */
    private Arena viewArena;

    /** CPython's {@code pos}: may exceed the length after a resize shrinks the mapping. */
    private long position;

    /**
     * What {@link MmapOptions} decided beyond the region itself.
     *
     * @param source the file's name for messages, or null for anonymous memory
     * @param offset the file offset the mapping starts at
     * @param access the access mode
     * @param prot the protection bits
     * @param arena the caller's arena, or null
     * @param trackFd the option as given (it also forbids resizing anonymous memory, as in CPython)
     * @param confined whether the mapping is confined to the thread that made it
     */
    record Settings(String source, long offset, Access access, int prot, Arena arena, boolean trackFd,
                    boolean confined) {}

    @SuppressWarnings("restricted") // the region's address and length, bound to the caller's arena
    private Mmap(MappedRegion region, Settings settings) {
        this.region = region;
        this.settings = settings;
        this.readOnly = (settings.prot() & MmapConstants.PROT_WRITE) == 0;
        this.accessible = (settings.prot() & (MmapConstants.PROT_READ | MmapConstants.PROT_WRITE)) != 0;
        Arena arena = settings.arena();
        if (arena == null) {
            this.guard = settings.confined() ? AccessGuard.confinedToCurrentThread() : AccessGuard.shared();
            // Registered on the guard: this object and every view's arena reach it.
            this.cleanable = CLEANER.register(guard, region::release);
            this.memory = ownMemory();
        } else {
            // The arena confines and closes the memory; its close waits for this class's methods.
            this.guard = AccessGuard.shared();
            this.cleanable = null;
            AccessGuard closing = guard;
            MappedRegion mapped = region;
            MemorySegment segment = MemorySegment.ofAddress(region.address()).reinterpret(region.length(), arena,
                    ignored -> {
                        closing.close(ARENA_CLOSED);
                        mapped.release();
                    });
            this.memory = readOnly ? segment.asReadOnly() : segment;
            this.view = memory;
        }
    }

    /**
     * Wraps a fresh region; releases it if that fails.
     *
     * @throws IllegalArgumentException if the caller's arena is closed
     * @throws WrongThreadException if the caller's arena is confined to another thread
     */
    static Mmap create(MappedRegion region, Settings settings) {
        try {
            if (settings.arena() != null && !settings.arena().scope().isAlive()) {
                throw new IllegalArgumentException("arena must be alive, was already closed: " + settings.arena());
            }
            return new Mmap(region, settings);
        } catch (Throwable t) {
            region.release();
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

    /** An unchecked segment over the region: only this class's guarded methods use it. */
    @SuppressWarnings("restricted") // the region's address and length, which this object owns
    private MemorySegment ownMemory() {
        MemorySegment segment = MemorySegment.ofAddress(region.address()).reinterpret(region.length());
        return readOnly ? segment.asReadOnly() : segment;
    }

    /** Throws unless open; for methods that touch neither memory nor kernel. */
    private void requireOpen() {
        guard.requireOpen();
    }

    /** The memory for reading, after {@link AccessGuard#enter()}. */
    private MemorySegment readable() {
        if (!accessible) {
            throw inaccessible();
        }
        return memory;
    }

    /** The memory for writing, after {@link AccessGuard#enter()}. */
    private MemorySegment writable(String operation) {
        if (!accessible) {
            throw inaccessible();
        }
        if (readOnly) {
            throw new ReadOnlyMappingException(operation);
        }
        return memory;
    }

    /**
     * Checks, for the methods that only ask the kernel, what an access would check: a confined
     * caller's arena admits only its owner thread.
     */
    private void checkKernelCall() {
        if (settings.arena() != null && !memory.isAccessibleBy(Thread.currentThread())) {
            throw new WrongThreadException("the mapping is confined to another thread than " + Thread.currentThread());
        }
    }

    private UnsupportedOperationException inaccessible() {
        return new UnsupportedOperationException("the mapping has no PROT_READ or PROT_WRITE (prot "
                + MmapConstants.describeProt(settings.prot()) + "): its memory cannot be accessed");
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
        requireOpen();
        return memory.address();
    }

    /**
     * Returns the alignment asked for; {@link #address()} is a multiple of it (and may happen to
     * be a multiple of a larger power of two).
     *
     * @return a power of two, 1 when any address was accepted (raised to the huge page size with
     *     {@link MmapOptions#hugePages(HugePages)})
     */
    public long alignment() {
        return region.alignment();
    }

    /**
     * Returns the number of mapped bytes, CPython's {@code len(m)}.
     *
     * @return the length
     * @throws IllegalStateException if closed
     */
    public long length() {
        requireOpen();
        return memory.byteSize();
    }

    /**
     * Returns the offset in the file where the mapping starts; 0 for anonymous memory.
     *
     * @return the file offset
     */
    public long offset() {
        return settings.offset();
    }

    /**
     * Returns the access mode the mapping was made with.
     *
     * @return the access mode ({@link Access#DEFAULT} when flags/prot were given)
     */
    public Access access() {
        return settings.access();
    }

    /**
     * Returns the protection bits the mapping was made with.
     *
     * @return {@code PROT_*} bits from {@link MmapConstants}
     */
    public int prot() {
        return settings.prot();
    }

    /**
     * Returns the flags the mapping was made with.
     *
     * @return {@code MAP_*} bits from {@link MmapConstants}, {@code MAP_ANONYMOUS} for anonymous
     *     memory, with the bits the library added (hugetlb size bits, {@code MAP_POPULATE})
     */
    public int flags() {
        return region.flags();
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
        return (region.flags() & MmapConstants.MAP_ANONYMOUS) != 0;
    }

    /**
     * Returns the size of the mapped file now, CPython's {@code m.size()} (which is not the
     * mapping's length: see {@link #length()}). For anonymous memory it is the mapping's length,
     * as in CPython 3.15 (3.13 raised OSError).
     *
     * @return the file's size in bytes, or the length of anonymous memory
     * @throws IllegalStateException if closed, or if the mapping keeps no descriptor: a file
     *     mapped with {@link MmapOptions#trackFd(boolean) trackFd(false)}, or anonymous memory
     *     made with it (CPython 3.15 raises there too)
     * @throws ErrnoException if the file cannot be inspected
     */
    public long fileSize() throws ErrnoException {
        int ticket = guard.enter();
        try {
            checkKernelCall();
            if (region.keepsFile()) {
                return region.fileSize();
            }
            if (isAnonymous() && settings.trackFd()) {
                return memory.byteSize();
            }
            throw new IllegalStateException("fileSize(): the mapping keeps no file descriptor (mapped with "
                    + "trackFd(false)" + (isAnonymous() ? ", anonymous memory" : "") + ")");
        } finally {
            guard.exit(ticket);
        }
    }

    /**
     * Returns the kind of pages the mapping was asked to be backed by; {@link #backing()} tells
     * what it got.
     *
     * @return the {@link MmapOptions#hugePages(HugePages)} choice, {@link HugePages#NONE} by default
     */
    public HugePages hugePages() {
        return region.hugePages();
    }

    /**
     * Names anonymous memory, CPython 3.15's {@code set_name(name)}: {@code /proc/self/maps} and
     * {@code /proc/self/smaps} then show the mapping as {@code [anon:name]}, which helps to tell
     * memory apart in a heap dump, {@code pmap} or a profiler. Uses {@code
     * prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME)}; a later {@link #resize(long)} may keep or drop the
     * name (the kernel names address ranges, and a resize may move the mapping), so name the
     * mapping again after resizing. Unlike CPython, the name is not prefixed.
     *
     * @param name 1 to 79 characters of printable ASCII, none of {@code \ ` $ [ ]} (the kernel's rule)
     * @throws IllegalArgumentException if the mapping is not anonymous memory, or the name is
     *     empty, too long, or holds a character the kernel refuses (the message names it)
     * @throws UnsupportedOperationException if the kernel cannot name memory (before Linux 5.17,
     *     or built without {@code CONFIG_ANON_VMA_NAME}: the kernel answers EINVAL, and the
     *     exception's cause is that answer)
     * @throws IllegalStateException if closed
     * @throws ErrnoException if the kernel refuses otherwise
     */
    public void setName(String name) throws ErrnoException {
        Objects.requireNonNull(name, "name");
        int ticket = guard.enter();
        try {
            checkKernelCall();
            if (!isAnonymous()) {
                throw new IllegalArgumentException("setName() only names anonymous memory; this maps "
                        + settings.source());
            }
            checkMemoryName(name);
            region.setName(name);
        } finally {
            guard.exit(ticket);
        }
    }

    /** The kernel's rule for names of anonymous memory (mm/madvise.c): 79 bytes, printable, no \`$[]. */
    private static void checkMemoryName(String name) {
        if (name.isEmpty() || name.length() > 79) {
            throw new IllegalArgumentException("name must hold 1 to 79 characters, had " + name.length());
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c > 0x7e || "\\`$[]".indexOf(c) >= 0) {
                throw new IllegalArgumentException("name must be printable ASCII without \\ ` $ [ ]; character "
                        + i + " is " + (c >= 0x20 && c <= 0x7e ? "'" + c + "'" : "U+%04X".formatted((int) c))
                        + " in \"" + name + "\"");
            }
        }
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
        int ticket = guard.enter();
        try {
            checkKernelCall();
            return region.backing();
        } finally {
            guard.exit(ticket);
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
        int ticket = guard.enter();
        try {
            checkKernelCall();
            return region.hugePageReport();
        } finally {
            guard.exit(ticket);
        }
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
        int ticket = guard.enter();
        try {
            checkKernelCall();
            return region.residency();
        } finally {
            guard.exit(ticket);
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
        int ticket = guard.enter();
        try {
            checkKernelCall();
            region.lock();
        } finally {
            guard.exit(ticket);
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
        int ticket = guard.enter();
        try {
            checkKernelCall();
            region.unlock();
        } finally {
            guard.exit(ticket);
        }
    }

    // ---- views ----------------------------------------------------------------------------

    /**
     * Returns the mapped memory: exactly {@link #length()} bytes starting at {@link #address()},
     * read-only for read-only mappings. The segment dies with the mapping: after {@link #close()}
     * (or a resize) every access through it throws {@link IllegalStateException}. The first call
     * creates the arena of the views (see "Lifetime and threads" above for what that costs at
     * close).
     *
     * @return the segment
     * @throws IllegalStateException if closed
     * @throws WrongThreadException if the mapping is confined to another thread
     * @throws UnsupportedOperationException if the mapping can be neither read nor written
     *     ({@code PROT_NONE}, or {@code PROT_EXEC} alone)
     */
    public MemorySegment segment() {
        MemorySegment current = view;
        if (current == null) {
            current = makeView();
        } else {
            requireOpen();
        }
        if (!accessible) {
            throw inaccessible();
        }
        return current;
    }

    @SuppressWarnings("restricted") // the region's address and length, bound to the views' arena
    private MemorySegment makeView() {
        synchronized (lifecycle) {
            guard.checkThread();
            requireOpen();
            if (view == null) {
                // Confined views for a confined mapping: their arena's close costs nothing.
                Arena arena = settings.confined() ? Arena.ofConfined() : Arena.ofShared();
                // The cleanup keeps the guard, and so the memory, reachable as long as any view is.
                AccessGuard keep = guard;
                MemorySegment segment = MemorySegment.ofAddress(region.address()).reinterpret(region.length(), arena,
                        ignored -> Reference.reachabilityFence(keep));
                viewArena = arena;
                view = readOnly ? segment.asReadOnly() : segment;
            }
            return view;
        }
    }

    /**
     * Closes the views' arena, if this object made one: accesses through views taken before
     * throw from now on. Called with {@link #lifecycle} held.
     *
     * @throws IllegalStateException if a native call of the caller's still holds a view; nothing
     *     changed then
     */
    private void closeViews() {
        if (viewArena != null) {
            viewArena.close();
            viewArena = null;
            view = null;
        }
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
        int ticket = guard.enter();
        try {
            MemorySegment segment = readable();
            return segment.get(JAVA_BYTE, Objects.checkIndex(index, segment.byteSize()));
        } finally {
            guard.exit(ticket);
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
        int ticket = guard.enter();
        try {
            MemorySegment segment = writable("put");
            segment.set(JAVA_BYTE, Objects.checkIndex(index, segment.byteSize()), value);
        } finally {
            guard.exit(ticket);
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
        int ticket = guard.enter();
        try {
            MemorySegment segment = readable();
            Objects.checkFromIndexSize(index, length, segment.byteSize());
            Objects.checkFromIndexSize(offset, length, dst.length);
            MemorySegment.copy(segment, JAVA_BYTE, index, dst, offset, length);
        } finally {
            guard.exit(ticket);
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
        int ticket = guard.enter();
        try {
            MemorySegment segment = writable("put");
            Objects.checkFromIndexSize(index, length, segment.byteSize());
            Objects.checkFromIndexSize(offset, length, src.length);
            MemorySegment.copy(src, offset, segment, JAVA_BYTE, index, length);
        } finally {
            guard.exit(ticket);
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
        requireOpen();
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
        requireOpen();
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
     * <p>Each call returns a new array, as CPython's does, and that is most of its cost in a loop:
     * the JVM hands out new arrays from young-generation memory that has left the CPU caches (and
     * zeroes it first), where CPython's {@code malloc} hands back the same cache-hot block each
     * time. A loop of {@code read(65536)} therefore runs at about half the speed of the same copy
     * into one reused buffer, which is what {@link #read(ByteBuffer)} and {@link #get(long,
     * byte[], int, int)} do; prefer those to read a mapping in chunks.
     *
     * @param n how many bytes; negative means all that remain
     * @return the bytes read, at most {@code n}
     * @throws IllegalArgumentException if more than {@code Integer.MAX_VALUE - 8} bytes remain and
     *     all of them were asked for
     * @throws IllegalStateException if closed
     */
    public byte[] read(int n) {
        int ticket = guard.enter();
        try {
            MemorySegment segment = readable();
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
            guard.exit(ticket);
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
        int ticket = guard.enter();
        try {
            MemorySegment segment = readable();
            if (position >= segment.byteSize()) {
                throw new IllegalArgumentException("read byte out of range: position " + position + ", length "
                        + segment.byteSize());
            }
            return Byte.toUnsignedInt(segment.get(JAVA_BYTE, position++));
        } finally {
            guard.exit(ticket);
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
        int ticket = guard.enter();
        try {
            MemorySegment segment = readable();
            long length = segment.byteSize();
            if (position >= length) {
                return new byte[0];
            }
            long newline = ByteSearch.indexOf(segment, position, length, NEWLINE);
            long end = newline < 0 ? length : newline + 1;
            long count = end - position;
            if (count > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("readLine: a line of " + count
                        + " bytes is more than an array holds");
            }
            byte[] line = new byte[(int) count];
            MemorySegment.copy(segment, JAVA_BYTE, position, line, 0, (int) count);
            position = end;
            return line;
        } finally {
            guard.exit(ticket);
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
        int ticket = guard.enter();
        try {
            MemorySegment segment = writable("write");
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
            guard.exit(ticket);
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
        int ticket = guard.enter();
        try {
            MemorySegment segment = writable("writeByte");
            if (value < Byte.MIN_VALUE || value > 0xFF) {
                throw new IllegalArgumentException("writeByte: value must be a byte (-128 to 255), was " + value);
            }
            if (position >= segment.byteSize()) {
                throw new IllegalArgumentException("write byte out of range: position " + position + ", length "
                        + segment.byteSize());
            }
            segment.set(JAVA_BYTE, position++, (byte) value);
        } finally {
            guard.exit(ticket);
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
        int ticket = guard.enter();
        try {
            Objects.requireNonNull(sub, "sub");
            MemorySegment segment = readable();
            long length = segment.byteSize();
            long from = sliceIndex(start, length);
            long to = sliceIndex(end, length);
            if (from > to) {
                return -1;
            }
            return last ? ByteSearch.lastIndexOf(segment, from, to, sub) : ByteSearch.indexOf(segment, from, to, sub);
        } finally {
            guard.exit(ticket);
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
        int ticket = guard.enter();
        try {
            MemorySegment segment = writable("move");
            long length = segment.byteSize();
            if (count < 0 || src < 0 || dest < 0 || length - dest < count || length - src < count) {
                throw new IllegalArgumentException("source, destination, or count out of range: dest " + dest + ", src "
                        + src + ", count " + count + ", length " + length);
            }
            MemorySegment.copy(segment, src, segment, dest, count);
        } finally {
            guard.exit(ticket);
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
        flush(offset, size, MmapConstants.MS_SYNC);
    }

    /**
     * Writes {@code [offset, offset + size)} back to the file as {@code flags} say, CPython
     * 3.15's {@code flush(offset, size, *, flags)}: {@link MmapConstants#MS_SYNC} waits for the
     * write-back (what {@link #flush(long, long)} does), {@link MmapConstants#MS_ASYNC} only
     * schedules it (on Linux the kernel tracks dirty pages anyway, so it returns at once), and
     * {@link MmapConstants#MS_INVALIDATE} added to either asks other mappings of the file to see
     * the new contents. The range is widened to whole pages, as in {@link #flush(long, long)}.
     * Does nothing for {@link Access#READ} and {@link Access#COPY} mappings.
     *
     * @param offset the first byte
     * @param size how many bytes
     * @param flags {@code MS_SYNC} or {@code MS_ASYNC}, optionally {@code | MS_INVALIDATE}
     * @throws IllegalArgumentException if the range is not inside the mapping, or the flags hold
     *     other bits, both {@code MS_SYNC} and {@code MS_ASYNC}, or neither
     * @throws ErrnoException if the write-back fails (EIO)
     * @throws IllegalStateException if closed
     */
    public void flush(long offset, long size, int flags) throws ErrnoException {
        int known = MmapConstants.MS_SYNC | MmapConstants.MS_ASYNC | MmapConstants.MS_INVALIDATE;
        boolean sync = (flags & MmapConstants.MS_SYNC) != 0;
        boolean async = (flags & MmapConstants.MS_ASYNC) != 0;
        if ((flags & ~known) != 0 || sync == async) {
            throw new IllegalArgumentException("flags must be MS_SYNC or MS_ASYNC, optionally with MS_INVALIDATE, was "
                    + flags);
        }
        int ticket = guard.enter();
        try {
            checkKernelCall();
            long length = memory.byteSize();
            if (size < 0 || offset < 0 || length - offset < size) {
                throw new IllegalArgumentException("flush values out of range: offset " + offset + ", size " + size
                        + ", length " + length);
            }
            Access access = settings.access();
            if (access == Access.READ || access == Access.COPY || size == 0) {
                return;
            }
            // The mapping starts on a page boundary, so rounding the offset rounds the address.
            long pageStart = PowerOfTwo.alignDown(offset, OperatingSystem.current().pageSize());
            region.flush(pageStart, offset + size - pageStart, flags);
        } finally {
            guard.exit(ticket);
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
        int ticket = guard.enter();
        try {
            checkKernelCall();
            long size = memory.byteSize();
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
            long page = OperatingSystem.current().pageSize();
            if (start % page != 0) {
                throw new IllegalArgumentException("madvise start must be a multiple of the page size " + page
                        + ", was " + start);
            }
            region.advise(start, Math.min(length, size - start), advice);
        } finally {
            guard.exit(ticket);
        }
    }

    /**
     * Changes the mapping's length, and for a file mapping the file's size to {@code offset() +
     * newLength}, as CPython's {@code resize()} does. The address stays a multiple of {@link
     * #alignment()}; the contents up to the shorter length survive; the position is kept (it may
     * end up past the end). Views taken before throw {@link IllegalStateException} afterwards,
     * even if the resize fails. A failed resize leaves the mapping, its contents and the file as
     * they were. Methods of this class called by other threads meanwhile wait for the resize.
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
     *     bound to a caller's arena; also if a native call of the caller's still holds a view
     * @throws WrongThreadException if the mapping is confined to another thread
     * @throws ErrnoException if the kernel or the file system refuses (for example EFBIG, ENOSPC,
     *     ENOMEM); nothing changed then
     */
    public void resize(long newLength) throws ErrnoException {
        if (newLength <= 0) {
            throw new IllegalArgumentException("new size out of range: newLength must be > 0, was " + newLength);
        }
        long granule = region.granule();
        if (newLength > Long.MAX_VALUE - (granule - 1)) {
            throw new IllegalArgumentException("new size out of range: newLength " + newLength
                    + " cannot be rounded up to whole pages of " + granule + " bytes");
        }
        synchronized (lifecycle) {
            guard.checkThread();
            requireOpen();
            Access access = settings.access();
            if (readOnly || access == Access.COPY) {
                throw new IllegalStateException("mmap can't resize a readonly or copy-on-write memory map (access "
                        + access + ", prot " + MmapConstants.describeProt(settings.prot()) + ")");
            }
            if (settings.arena() != null) {
                throw new IllegalStateException("mmap can't resize a mapping bound to a caller's arena: its views "
                        + "live as long as that arena");
            }
            if (!settings.trackFd() || (!isAnonymous() && !region.keepsFile())) {
                throw new IllegalStateException("mmap can't resize with trackFd(false)" + (isAnonymous() ? ""
                        : ": no descriptor to resize the file through"));
            }
            if (!isAnonymous() && Long.MAX_VALUE - settings.offset() < newLength) {
                throw new IllegalArgumentException("new size out of range: offset " + settings.offset()
                        + " + newLength " + newLength + " overflows");
            }
            // Views die first (a native call holding one makes this fail with nothing changed);
            // then this class's own methods under way finish, before any page moves.
            closeViews();
            guard.beginExclusive();
            try {
                region.resize(newLength);
            } finally {
                // Whether the region moved, kept its place, or was put back after a failure.
                memory = ownMemory();
                guard.endExclusive();
            }
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
        int ticket = guard.enter();
        try {
            MemorySegment segment = readable();
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
                    MemorySegment.copy(segment, JAVA_BYTE, position, dst.array(), dst.arrayOffset() + dst.position(),
                            count);
                } else {
                    MemorySegment.copy(segment, position, MemorySegment.ofBuffer(dst), 0, count);
                }
                dst.position(dst.position() + count);
                position += count;
            }
            return count;
        } finally {
            guard.exit(ticket);
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
        int ticket = guard.enter();
        try {
            MemorySegment segment = readable();
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
            guard.exit(ticket);
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
     * @return false once {@link #close()} has been called, or the caller's arena closed
     */
    @Override
    public boolean isOpen() {
        return !guard.isClosed();
    }

    /**
     * Unmaps the memory and closes the descriptor the mapping kept, once the methods of this
     * class under way on other threads have finished. Idempotent and callable from any thread
     * (the owner thread only, for a confined mapping); afterwards every method and view throws
     * {@link IllegalStateException}. For a mapping bound to a caller's arena, the memory stays
     * until that arena closes.
     *
     * @throws IllegalStateException if a native call of the caller's still holds a view (a
     *     downcall that was passed {@link #segment()}); the mapping then stays open
     * @throws WrongThreadException if the mapping is confined to another thread
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            guard.checkThread();
            if (guard.isClosed()) {
                return;
            }
            closeViews();
            if (!guard.close(CLOSED)) {
                return; // the caller's arena closed meanwhile and released everything
            }
            if (cleanable != null) {
                cleanable.clean();
            } else {
                region.closeFile();
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
        if (guard.isClosed()) {
            return "Mmap[closed=true]";
        }
        MemorySegment current = memory;
        return "Mmap[closed=false, access=" + settings.access() + ", length=" + current.byteSize() + ", pos="
                + position + ", offset=" + settings.offset() + ", address=0x" + Long.toHexString(current.address())
                + ", align=" + region.alignment() + ", "
                + (isAnonymous() ? "anonymous" : "file=" + settings.source()) + "]";
    }
}
