package org.alignedmmap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Objects;
import org.alignedmmap.internal.NativeMemory;
import org.alignedmmap.internal.OperatingSystem;
import org.alignedmmap.internal.PowerOfTwo;

/**
 * Native memory whose start address is a multiple of an alignment the caller chooses, without a
 * file: buffers for native libraries, DMA and {@code O_DIRECT} I/O. Also the address arithmetic
 * around it. The alignment the system demands comes from {@link SystemAlignment}.
 *
 * <pre>{@code
 * Path file = Path.of("data.bin");
 * long align = SystemAlignment.directIo(file).fileChannel();
 * try (Arena arena = Arena.ofConfined();
 *      FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
 *     MemorySegment buffer = Aligned.allocate(arena, 16 * align, align);   // zero-filled
 *     int read = channel.read(buffer.asByteBuffer(), 0);                   // accepted: aligned
 *     assert Aligned.isAligned(buffer, align);
 * }                                                                          // unmapped here
 *
 * ByteBuffer dma = Aligned.allocateDirect(1 << 20, (int) SystemAlignment.pageSize());  // freed once unreachable
 * MemorySegment copy = Aligned.copyOf(bytes, 64, arena);   // ctypes' from_buffer_copy
 * }</pre>
 *
 * <h2>How the memory is obtained</h2>
 * Alignments of a page ({@link SystemAlignment#pageSize()}) or more, and sizes of 128 KiB or more at
 * any alignment, get an anonymous private mapping placed with reserve-then-trim: no address space
 * is kept beyond the page-rounded size, the kernel's zero pages make eager zeroing unnecessary,
 * and only the pages actually touched become resident. Smaller requests go to the JDK's own
 * allocator ({@link Arena#allocate(long, long)}), which measured faster than {@code
 * posix_memalign} for them; it keeps up to {@code align - 16} bytes per segment more than it
 * hands out. Either way the memory is zero-filled and freed when the arena closes.
 *
 * <h2>Failures</h2>
 * Bad arguments throw {@link IllegalArgumentException} naming the parameter and the value, and
 * are detected before anything is allocated. When the system has no memory (or address space) to
 * give, the methods throw {@link OutOfMemoryError} like {@link Arena#allocate(long, long)} and
 * {@link ByteBuffer#allocateDirect(int)} do; for mappings its cause is the {@link ErrnoException}
 * with the failed {@code mmap} call and its errno. Nothing stays allocated after any failure.
 */
public final class Aligned {
    private Aligned() {}

    /**
     * Allocates zero-filled native memory whose address is a multiple of {@code align}, freed
     * when {@code arena} closes (or, for {@link Arena#ofAuto()}, once the garbage collector finds
     * the arena unreachable).
     *
     * <p>As with {@link Arena#allocate(long, long)}, a size of 0 is legal: the segment is empty
     * but has a distinct, aligned address that occupies some memory (a few bytes, or a page when
     * {@code align} is a page or more) until the arena closes.
     *
     * @param arena the arena that owns the memory; must be alive and, if confined, owned by the
     *     calling thread
     * @param size the number of bytes, {@code >= 0}; the segment has exactly this size
     * @param align the alignment of the address, a power of two {@code >= 1}; for example {@link
     *     SystemAlignment#pageSize()}, {@code 2L << 20}, or {@link DirectIoAlignment#fileChannel()}
     * @return a writable native segment of {@code size} zero bytes at a multiple of {@code align}
     * @throws NullPointerException if {@code arena} is null
     * @throws IllegalArgumentException if {@code size} is negative, {@code align} is not a power of
     *     two, {@code size + align} overflows a long, or {@code arena} is closed
     * @throws WrongThreadException if {@code arena} is confined to another thread
     * @throws OutOfMemoryError if the system cannot provide the memory
     */
    public static MemorySegment allocate(Arena arena, long size, long align) {
        checkAllocation(arena, size, align);
        return NativeMemory.allocate(arena, size, align);
    }

    /**
     * Allocates zero-filled native memory whose address is a multiple of {@code align}, backed by
     * the kind of pages {@code hugePages} asks for, freed when {@code arena} closes. The memory
     * is always an anonymous private mapping, whatever the size.
     *
     * <ul>
     *   <li>{@link HugePages#NONE}: the same as {@link #allocate(Arena, long, long)}.
     *   <li>{@link HugePages#TRANSPARENT}: the alignment is raised to {@link
     *       SystemAlignment#transparentHugePageSize()} and the memory is advised with {@code
     *       MADV_HUGEPAGE}, so every whole huge page of it can become one as it is touched.
     *       Best effort: {@link Backing#of(MemorySegment)} tells what it got.
     *   <li>{@code HUGETLB_*}: pages of the hugetlb pool of that size; the alignment is raised to
     *       the huge page size, and the memory taken is {@code size} rounded up to whole huge
     *       pages. Fails with {@link OutOfMemoryError} when the pool has too few free pages, its
     *       cause naming the pool's {@code nr_hugepages} and {@code free_hugepages} files and
     *       the pages needed.
     * </ul>
     *
     * @param arena the arena that owns the memory; must be alive and, if confined, owned by the
     *     calling thread
     * @param size the number of bytes, {@code >= 0}; the segment has exactly this size
     * @param align the alignment of the address, a power of two {@code >= 1}; raised to the huge
     *     page size
     * @param hugePages the kind of pages
     * @return a writable native segment of {@code size} zero bytes at a multiple of {@code
     *     max(align, hugePages.pageSize())}
     * @throws NullPointerException if {@code arena} or {@code hugePages} is null
     * @throws IllegalArgumentException if {@code size} is negative, {@code align} is not a power of
     *     two, {@code size + align} overflows a long, or {@code arena} is closed
     * @throws UnsupportedOperationException if this system cannot provide the pages ({@link
     *     HugePages#isAvailable()} is false); the message says why
     * @throws WrongThreadException if {@code arena} is confined to another thread
     * @throws OutOfMemoryError if the system cannot provide the memory; for mappings its cause is
     *     the {@link ErrnoException}
     */
    public static MemorySegment allocate(Arena arena, long size, long align, HugePages hugePages) {
        Objects.requireNonNull(hugePages, "hugePages");
        checkAllocation(arena, size, align);
        return NativeMemory.allocate(arena, size, align, hugePages);
    }

    /**
     * Reads a whole file into new memory backed by huge pages, in one step: model weights,
     * indexes, lookup tables that are read at random and should not pay for a page cache mapping
     * in base pages. The memory is private to the process and independent of the file
     * afterwards (a copy, not a mapping: later changes to the file do not show, and writes to
     * the segment do not reach the file).
     *
     * <pre>{@code
     * try (Arena arena = Arena.ofShared()) {
     *     MemorySegment weights = Aligned.load(Path.of("model.bin"), HugePages.TRANSPARENT, arena);
     *     float w = weights.get(ValueLayout.JAVA_FLOAT, 4096);
     * }
     * }</pre>
     *
     * <p>Where the page cache does not hold the file, it is read with {@code O_DIRECT}, straight
     * from storage into the huge pages, so the data does not end up in memory twice; what the
     * cache already holds (or holds dirty) is copied from it, which is faster than reading storage
     * again. File systems that refuse {@code O_DIRECT} (tmpfs, some network file systems) are read
     * through the cache. {@link Backing#of(MemorySegment)} shows the huge pages.
     *
     * @param file the file, on the default file system
     * @param kind the pages: {@link HugePages#TRANSPARENT} (madvised, best effort, as {@link
     *     #allocate(Arena, long, long, HugePages)}), a {@code HUGETLB_*} kind (pages of the pool,
     *     all or nothing), or {@link HugePages#NONE} for base pages
     * @param arena the arena that owns the memory; must be alive and, if confined, owned by the
     *     calling thread
     * @return exactly the file's bytes (as many as it had when opened), writable, at a multiple of
     *     {@code kind.pageSize()}; freed when {@code arena} closes
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code file} is not on the default file system, or
     *     {@code arena} is closed
     * @throws WrongThreadException if {@code arena} is confined to another thread
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws java.nio.file.AccessDeniedException if it cannot be read
     * @throws java.nio.file.FileSystemException if it is a directory or not a regular file, or it
     *     shrank while it was read
     * @throws UnsupportedOperationException if the system cannot provide {@code kind} ({@link
     *     HugePages#unavailableReason()})
     * @throws OutOfMemoryError if the file is larger than the memory the system has available
     *     ({@code MemAvailable}), or the memory cannot be mapped (for hugetlb: too few free pages
     *     in the pool, named with its counts in the cause)
     * @throws IOException if reading fails. After any failure nothing stays mapped and no
     *     descriptor stays open
     */
    public static MemorySegment load(Path file, HugePages kind, Arena arena) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(arena, "arena");
        if (file.getFileSystem() != FileSystems.getDefault()) {
            throw new IllegalArgumentException("file must be on the default file system, was " + file.toUri());
        }
        if (!arena.scope().isAlive()) {
            throw new IllegalArgumentException("arena must be alive, was already closed: " + arena);
        }
        return OperatingSystem.current().load(file, kind, arena);
    }

    /**
     * Allocates a direct {@link ByteBuffer} of exactly {@code capacity} zero bytes whose address
     * is a multiple of {@code align}: {@link ByteBuffer#allocateDirect(int)} at an alignment,
     * without the over-allocation of {@code allocateDirect(capacity + align).alignedSlice(align)}.
     *
     * <p>The memory is released after the buffer and every buffer derived from it (slices,
     * duplicates, views) have become unreachable and the garbage collector has noticed. Unlike
     * {@code ByteBuffer.allocateDirect}, mapped memory (page alignment or more, or 128 KiB or
     * more: see the class description) is not counted against {@code -XX:MaxDirectMemorySize},
     * so running short of it does not prompt a collection: for many or large buffers, prefer
     * {@link #allocateDirect(Arena, int, int)} with an arena you close.
     *
     * @param capacity the buffer's capacity, {@code >= 0}
     * @param align the alignment of the buffer's address, a power of two {@code >= 1}
     * @return a buffer with position 0, limit and capacity {@code capacity}, big-endian as every
     *     new buffer
     * @throws IllegalArgumentException if {@code capacity} is negative or {@code align} is not a
     *     power of two
     * @throws OutOfMemoryError if the system cannot provide the memory
     */
    public static ByteBuffer allocateDirect(int capacity, int align) {
        return allocateDirect(Arena.ofAuto(), capacity, align);
    }

    /**
     * Allocates a direct {@link ByteBuffer} of exactly {@code capacity} zero bytes whose address
     * is a multiple of {@code align}, released when {@code arena} closes; from then on every
     * access through the buffer throws {@link IllegalStateException}.
     *
     * @param arena the arena that owns the memory
     * @param capacity the buffer's capacity, {@code >= 0}
     * @param align the alignment of the buffer's address, a power of two {@code >= 1}
     * @return a buffer with position 0, limit and capacity {@code capacity}, big-endian
     * @throws NullPointerException if {@code arena} is null
     * @throws IllegalArgumentException if {@code capacity} is negative, {@code align} is not a
     *     power of two, or {@code arena} is closed
     * @throws WrongThreadException if {@code arena} is confined to another thread
     * @throws OutOfMemoryError if the system cannot provide the memory
     */
    public static ByteBuffer allocateDirect(Arena arena, int capacity, int align) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, was " + capacity);
        }
        return allocate(arena, capacity, align).asByteBuffer();
    }

    /**
     * Copies a segment's bytes into new aligned native memory: ctypes' {@code from_buffer_copy}
     * with an alignment.
     *
     * @param src the bytes to copy, a native or heap segment, readable by the calling thread
     * @param align the alignment of the copy's address, a power of two {@code >= 1}
     * @param arena the arena that owns the copy
     * @return a writable native segment of {@code src.byteSize()} bytes at a multiple of {@code
     *     align}, independent of {@code src}
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code align} is not a power of two, {@code arena} is
     *     closed, or {@code src} is no longer alive or not accessible by this thread
     * @throws WrongThreadException if {@code arena} is confined to another thread
     * @throws OutOfMemoryError if the system cannot provide the memory
     */
    public static MemorySegment copyOf(MemorySegment src, long align, Arena arena) {
        Objects.requireNonNull(src, "src");
        if (!src.scope().isAlive()) {
            throw new IllegalArgumentException("src must be alive, but its arena is already closed: " + src);
        }
        if (!src.isAccessibleBy(Thread.currentThread())) {
            throw new IllegalArgumentException("src is confined to another thread: " + src);
        }
        MemorySegment copy = allocate(arena, src.byteSize(), align);
        MemorySegment.copy(src, 0, copy, 0, src.byteSize());
        return copy;
    }

    /**
     * Copies a buffer's remaining bytes (from its position to its limit) into new aligned native
     * memory. The buffer's position, limit and mark are left as they were.
     *
     * @param src a heap or direct buffer, possibly read-only
     * @param align the alignment of the copy's address, a power of two {@code >= 1}
     * @param arena the arena that owns the copy
     * @return a writable native segment of {@code src.remaining()} bytes at a multiple of {@code
     *     align}
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code align} is not a power of two, {@code arena} is
     *     closed, or {@code src}'s memory is no longer alive
     * @throws WrongThreadException if {@code arena} is confined to another thread
     * @throws OutOfMemoryError if the system cannot provide the memory
     */
    public static MemorySegment copyOf(ByteBuffer src, long align, Arena arena) {
        Objects.requireNonNull(src, "src");
        return copyOf(MemorySegment.ofBuffer(src), align, arena);
    }

    /**
     * Copies an array into new aligned native memory.
     *
     * @param src the bytes to copy
     * @param align the alignment of the copy's address, a power of two {@code >= 1}
     * @param arena the arena that owns the copy
     * @return a writable native segment of {@code src.length} bytes at a multiple of {@code align}
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code align} is not a power of two or {@code arena} is
     *     closed
     * @throws WrongThreadException if {@code arena} is confined to another thread
     * @throws OutOfMemoryError if the system cannot provide the memory
     */
    public static MemorySegment copyOf(byte[] src, long align, Arena arena) {
        Objects.requireNonNull(src, "src");
        return copyOf(MemorySegment.ofArray(src), align, arena);
    }

    /**
     * Returns the native address of a direct buffer's first element (index 0, whatever the
     * buffer's position); add {@code buffer.position()} for the address I/O starts at.
     *
     * @param buffer a direct buffer
     * @return its address
     * @throws NullPointerException if {@code buffer} is null
     * @throws IllegalArgumentException if {@code buffer} is a heap buffer, which has no fixed
     *     address: the garbage collector moves it
     */
    public static long address(ByteBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("buffer is a heap buffer (ByteBuffer.allocate or wrap), which has no"
                    + " fixed native address; use Aligned.allocateDirect or Aligned.copyOf: " + buffer);
        }
        // The segment of a buffer starts at the buffer's position.
        return MemorySegment.ofBuffer(buffer).address() - buffer.position();
    }

    /**
     * Returns the native address of a segment's first byte.
     *
     * @param segment a native segment
     * @return its address, {@code segment.address()}
     * @throws NullPointerException if {@code segment} is null
     * @throws IllegalArgumentException if {@code segment} is a heap segment, whose {@code
     *     address()} is only an offset into a Java array
     */
    public static long address(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (!segment.isNative()) {
            throw new IllegalArgumentException("segment is a heap segment, which has no fixed native address: "
                    + segment);
        }
        return segment.address();
    }

    /**
     * Tells whether a direct buffer's first element (index 0) lies at a multiple of {@code align}.
     *
     * @param buffer a direct buffer
     * @param align a power of two {@code >= 1}
     * @return true if {@link #address(ByteBuffer)} is a multiple of {@code align}
     * @throws NullPointerException if {@code buffer} is null
     * @throws IllegalArgumentException if {@code buffer} is a heap buffer or {@code align} is not
     *     a power of two
     */
    public static boolean isAligned(ByteBuffer buffer, long align) {
        PowerOfTwo.requirePowerOfTwo("align", align);
        return isAligned(address(buffer), align);
    }

    /**
     * Tells whether a native segment starts at a multiple of {@code align}.
     *
     * @param segment a native segment
     * @param align a power of two {@code >= 1}
     * @return true if the segment's address is a multiple of {@code align}
     * @throws NullPointerException if {@code segment} is null
     * @throws IllegalArgumentException if {@code segment} is a heap segment or {@code align} is
     *     not a power of two
     */
    public static boolean isAligned(MemorySegment segment, long align) {
        PowerOfTwo.requirePowerOfTwo("align", align);
        return isAligned(address(segment), align);
    }

    /**
     * Tells whether an address (or any value) is a multiple of {@code align}.
     *
     * @param address the address
     * @param align a power of two {@code >= 1}
     * @return true if {@code address} is a multiple of {@code align}
     * @throws IllegalArgumentException if {@code align} is not a power of two
     */
    public static boolean isAligned(long address, long align) {
        PowerOfTwo.requirePowerOfTwo("align", align);
        return (address & (align - 1)) == 0;
    }

    /**
     * Rounds up to the next multiple of {@code align}.
     *
     * @param value any value
     * @param align a power of two {@code >= 1}
     * @return the smallest multiple of {@code align} that is {@code >= value}
     * @throws IllegalArgumentException if {@code align} is not a power of two
     * @throws ArithmeticException if that multiple does not fit in a long
     */
    public static long alignUp(long value, long align) {
        PowerOfTwo.requirePowerOfTwo("align", align);
        return PowerOfTwo.alignUp(value, align);
    }

    /**
     * Rounds down to the previous multiple of {@code align}; never overflows (negative values
     * round towards negative infinity).
     *
     * @param value any value
     * @param align a power of two {@code >= 1}
     * @return the largest multiple of {@code align} that is {@code <= value}
     * @throws IllegalArgumentException if {@code align} is not a power of two
     */
    public static long alignDown(long value, long align) {
        PowerOfTwo.requirePowerOfTwo("align", align);
        return PowerOfTwo.alignDown(value, align);
    }

    private static void checkAllocation(Arena arena, long size, long align) {
        Objects.requireNonNull(arena, "arena");
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, was " + size);
        }
        PowerOfTwo.requirePowerOfTwo("align", align);
        if (size > Long.MAX_VALUE - align) {
            throw new IllegalArgumentException("size + align overflows a long: size=" + size + ", align=" + align);
        }
        if (!arena.scope().isAlive()) {
            throw new IllegalArgumentException("arena must be alive, was already closed: " + arena);
        }
    }
}
