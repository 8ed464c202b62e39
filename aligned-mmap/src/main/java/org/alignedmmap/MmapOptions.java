package org.alignedmmap;

import static org.alignedmmap.MmapConstants.MAP_ANONYMOUS;
import static org.alignedmmap.MmapConstants.MAP_FIXED;
import static org.alignedmmap.MmapConstants.MAP_FIXED_NOREPLACE;
import static org.alignedmmap.MmapConstants.MAP_PRIVATE;
import static org.alignedmmap.MmapConstants.MAP_SHARED;
import static org.alignedmmap.MmapConstants.MAP_SHARED_VALIDATE;
import static org.alignedmmap.MmapConstants.MAP_TYPE;
import static org.alignedmmap.MmapConstants.PROT_EXEC;
import static org.alignedmmap.MmapConstants.PROT_READ;
import static org.alignedmmap.MmapConstants.PROT_WRITE;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Objects;
import org.alignedmmap.internal.MappedRegion;
import org.alignedmmap.internal.MappingRequest;
import org.alignedmmap.internal.OpenFile;
import org.alignedmmap.internal.OperatingSystem;
import org.alignedmmap.internal.PowerOfTwo;

/**
 * Describes a mapping to make; ends with {@link #map(Path)}, {@link #map(int)} or {@link
 * #anonymous(long)}. Obtained from {@link Mmap#options()}.
 *
 * <pre>{@code
 * try (Mmap m = Mmap.options()
 *         .access(Access.WRITE)
 *         .offset(1L << 20)          // where in the file to start
 *         .length(12_345)            // 0 = to the end of the file
 *         .align(2L << 20)           // the address will be a multiple of 2 MiB
 *         .map(Path.of("data.bin"))) {
 *     assert m.address() % (2L << 20) == 0;
 * }
 * }</pre>
 *
 * <p>The options are plain values: setting one checks only that value, the terminal methods
 * check how they combine. An options object is mutable, not thread-safe, and can make any number
 * of mappings.
 */
public final class MmapOptions {
    private static final int DEFAULT_FLAGS = MAP_SHARED;
    private static final int DEFAULT_PROT = PROT_READ | PROT_WRITE;

    private Access access = Access.DEFAULT;
    private int flags = DEFAULT_FLAGS;
    private boolean flagsSet;
    private int prot = DEFAULT_PROT;
    private boolean protSet;
    private long offset;
    private long length;
    private long align = 1;
    private Arena arena;
    private boolean trackFd = true;
    private HugePages hugePages = HugePages.NONE;
    private boolean populate;
    private boolean confined;
    /** write back and drop the range's page cache before mapping (see the setter). */
    private boolean rebuildPageCache;

    MmapOptions() {}

    /**
     * Chooses the access mode, as CPython's {@code access=}.
     *
     * @param access the mode
     * @return these options
     * @throws NullPointerException if {@code access} is null
     */
    public MmapOptions access(Access access) {
        this.access = Objects.requireNonNull(access, "access");
        return this;
    }

    /**
     * Sets raw {@code mmap(2)} flags, as CPython's {@code flags=} (default {@code MAP_SHARED}).
     * Exactly one of {@code MAP_SHARED}, {@code MAP_PRIVATE}, {@code MAP_SHARED_VALIDATE}; add
     * {@code MAP_POPULATE}, {@code MAP_NORESERVE}, {@code MAP_STACK}... as needed. {@code
     * MAP_FIXED} is refused: the library chooses the address. Cannot be combined with an {@link
     * #access(Access)} other than DEFAULT.
     *
     * @param flags values from {@link MmapConstants}
     * @return these options
     * @throws IllegalArgumentException if the flags lack a sharing type, or ask for a fixed address
     */
    public MmapOptions flags(int flags) {
        int type = flags & MAP_TYPE;
        if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE) {
            throw new IllegalArgumentException("flags must contain exactly one of MAP_SHARED, MAP_PRIVATE, "
                    + "MAP_SHARED_VALIDATE, was " + MmapConstants.describeFlags(flags));
        }
        if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0) {
            throw new IllegalArgumentException("flags must not contain MAP_FIXED or MAP_FIXED_NOREPLACE (the library "
                    + "places the mapping; use align to constrain where), was " + MmapConstants.describeFlags(flags));
        }
        this.flags = flags;
        this.flagsSet = true;
        return this;
    }

    /**
     * Sets raw protection bits, as CPython's {@code prot=} (default {@code PROT_READ |
     * PROT_WRITE}). Without {@code PROT_WRITE} the mapping is read-only. Cannot be combined with
     * an {@link #access(Access)} other than DEFAULT.
     *
     * @param prot {@code PROT_READ}, {@code PROT_WRITE}, {@code PROT_EXEC} from {@link MmapConstants}
     * @return these options
     * @throws IllegalArgumentException if {@code prot} has bits other than those three
     */
    public MmapOptions prot(int prot) {
        if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0) {
            throw new IllegalArgumentException("prot may only combine PROT_READ, PROT_WRITE and PROT_EXEC, was 0x"
                    + Integer.toHexString(prot));
        }
        this.prot = prot;
        this.protSet = true;
        return this;
    }

    /**
     * Sets where in the file the mapping starts. It must be a multiple of the allocation
     * granularity (the page size on Linux, see {@link SystemAlignment#allocationGranularity()}); it does not
     * influence the address, which {@link #align(long)} controls.
     *
     * @param offset a byte offset into the file, default 0
     * @return these options
     * @throws IllegalArgumentException if {@code offset} is negative or not a multiple of the
     *     allocation granularity
     */
    public MmapOptions offset(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was " + offset);
        }
        long granularity = SystemAlignment.allocationGranularity();
        if (offset % granularity != 0) {
            throw new IllegalArgumentException("offset must be a multiple of the allocation granularity "
                    + granularity + ", was " + offset);
        }
        this.offset = offset;
        return this;
    }

    /**
     * Sets how many bytes of the file to map; 0 (the default) maps from the offset to the end of
     * the file. Not used by {@link #anonymous(long)}, which takes its length as argument.
     *
     * @param length bytes, {@code >= 0}
     * @return these options
     * @throws IllegalArgumentException if {@code length} is negative
     */
    public MmapOptions length(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0 (0 = to the end of the file), was " + length);
        }
        this.length = length;
        return this;
    }

    /**
     * Sets the alignment of the mapping's start address. 1 (the default) accepts any address;
     * up to the page size every mapping already qualifies, so it costs nothing; above it the
     * library reserves {@code length + align} bytes of address space for an instant and gives
     * back all but the aligned mapping.
     *
     * @param align a power of two, {@code >= 1}
     * @return these options
     * @throws IllegalArgumentException if {@code align} is not a power of two
     */
    public MmapOptions align(long align) {
        this.align = PowerOfTwo.requirePowerOfTwo("align", align);
        return this;
    }

    /**
     * Binds the mapping's memory to a caller's arena instead of one of its own: the memory is
     * unmapped when that arena closes (or, for {@link Arena#ofAuto()}, once unreachable), and
     * {@link Mmap#close()} then closes only the {@code Mmap} object, leaving the memory and the
     * views to the arena. Such a mapping cannot be {@link Mmap#resize(long) resized}. A confined
     * arena confines the mapping to its owner thread.
     *
     * <p>Without this, each mapping owns a shared arena, and {@link Mmap#close()} unmaps at once.
     *
     * @param arena the arena, or {@code null} for the default
     * @return these options
     */
    public MmapOptions arena(Arena arena) {
        this.arena = arena;
        return this;
    }

    /**
     * Chooses whether the mapping keeps a descriptor of the file, as CPython 3.13's {@code
     * trackfd=} (default true). Without one, {@link Mmap#fileSize()} and {@link
     * Mmap#resize(long)} are not available, and no descriptor stays open while the mapping lives.
     * As in CPython, {@code trackFd(false)} forbids resizing anonymous memory too.
     *
     * @param trackFd true to keep a descriptor
     * @return these options
     */
    public MmapOptions trackFd(boolean trackFd) {
        this.trackFd = trackFd;
        return this;
    }

    /**
     * Chooses the kind of pages that back the mapping (default {@link HugePages#NONE}); see
     * {@link HugePages} for what each does. Checked against the file, the offset and the system
     * by the terminal methods:
     *
     * <ul>
     *   <li>{@link HugePages#TRANSPARENT} raises {@link #align(long)} to the transparent huge page
     *       size and advises the mapping with {@code MADV_HUGEPAGE}; the length is not rounded.
     *       Anonymous memory is then {@code MAP_PRIVATE} unless {@link #flags(int)} or {@link
     *       #access(Access)} say otherwise (shared anonymous memory is shmem, whose huge pages
     *       follow another setting). A file's {@link #offset(long)} must be a multiple of the
     *       huge page size.
     *   <li>The {@code HUGETLB_*} kinds add {@code MAP_HUGETLB} and the size bits to the flags and
     *       raise the alignment to the huge page size; anonymous memory only. The memory taken
     *       is the length rounded up to whole huge pages ({@link Mmap#length()} stays as asked).
     *       An empty or too small pool fails with an {@link ErrnoException} (ENOMEM) whose
     *       message names the pool's {@code nr_hugepages} and {@code free_hugepages} files and
     *       the pages needed.
     * </ul>
     *
     * {@link Mmap#backing()} tells which pages the mapping actually got.
     *
     * @param hugePages the kind of pages
     * @return these options
     * @throws NullPointerException if {@code hugePages} is null
     */
    public MmapOptions hugePages(HugePages hugePages) {
        this.hugePages = Objects.requireNonNull(hugePages, "hugePages");
        return this;
    }

    /**
     * Chooses whether every page is faulted in while mapping (default false), so that first
     * accesses do not pay for page faults and read-ahead; {@link Mmap#residency()} then reports
     * the mapping resident. How, by mapping kind:
     *
     * <ul>
     *   <li>anonymous memory and shared file mappings: {@code MAP_POPULATE} (private writable
     *       anonymous memory gets pages of its own, everything else read faults: a shared file
     *       is read into the page cache and mapped, no page is dirtied);
     *   <li>private writable file mappings ({@link Access#COPY}): {@code MADV_POPULATE_READ}
     *       after mapping, because {@code MAP_POPULATE} would fault them in for writing and so
     *       make a private copy of every page of the file;
     *   <li>with {@link HugePages#TRANSPARENT}: {@code MADV_POPULATE_WRITE} (private writable
     *       anonymous memory) or {@code MADV_POPULATE_READ} after {@code MADV_HUGEPAGE}, because
     *       {@code MAP_POPULATE} would fault everything in as base pages before the advice.
     * </ul>
     *
     * On kernels before 5.14, which lack {@code MADV_POPULATE_*}, those cases touch every page
     * from Java instead. A failure of the {@code madvise} way (out of memory, a file shorter
     * than the mapping) fails the mapping with its {@link ErrnoException}, where {@code
     * MAP_POPULATE} leaves the remaining pages to fault in later. A {@link Mmap#resize(long)}
     * populates what it adds, best effort.
     *
     * @param populate true to fault every page in
     * @return these options
     */
    public MmapOptions populate(boolean populate) {
        this.populate = populate;
        return this;
    }

    /**
     * Confines the mapping to the thread that makes it: only that thread may use it, its views
     * and {@link Mmap#close()}; any other gets {@link WrongThreadException}. In exchange closing
     * is almost free, where closing a mapping usable by all threads (the default) waits for a
     * handshake with every thread of the JVM (tens of microseconds). Worth it for short-lived
     * mappings used by one thread. Ignored with {@link #arena(Arena)}, whose own kind applies.
     *
     * @param confined true to confine the mapping to the current thread
     * @return these options
     */
    public MmapOptions confined(boolean confined) {
        this.confined = confined;
        return this;
    }

    /**
     * Chooses whether to rebuild the page cache of the mapped range in huge folios (default
     * false), for file mappings with {@link #hugePages(HugePages) hugePages(TRANSPARENT)}.
     *
     * <p>A file's pages stay in the page cache in the folios they were first cached in, and a
     * file written or read in small pieces ({@code write(2)} of 8 KiB, as {@code
     * FileOutputStream} and most writers do) is cached in small ones: a huge page mapping of it
     * then gets no huge page at all. With this option, before the range is mapped (and so
     * before it is faulted or {@linkplain #populate(boolean) populated}), the range rounded out to
     * whole huge pages is
     *
     * <ol>
     *   <li>written back: its dirty pages, including pages written through another shared
     *       mapping and not yet flushed, go to storage ({@code sync_file_range}), and
     *   <li>dropped from the page cache where nothing else maps them ({@code
     *       posix_fadvise(POSIX_FADV_DONTNEED)}, which drops only clean, unmapped pages),
     * </ol>
     *
     * so that the mapping's page faults (or its population) read the range back in huge folios
     * and map them with huge pages ({@code FilePmdMapped} in {@link Mmap#backing()}). Nothing
     * written is ever lost: the kernel drops only pages whose contents are on storage.
     *
     * <p><b>Cost.</b> The range is written back if dirty (what the file system would do
     * anyway, now rather than later) and then read again from storage: at the device's read
     * speed rather than from memory, and the first touch of each huge page waits for 2 MiB (on
     * x86-64) to be read. Worth it for a range that is read many times, randomly or by several
     * processes (model weights, search indexes); the random reads afterwards then run at the
     * speed of huge pages. Other processes keep their own mappings of the file; pages they map
     * stay cached in the folios they have, and so do the blocks around them, which the report
     * then names. Pages cached by this library's earlier huge page mappings are dropped and
     * read again too: rebuild once, when the file has been written.
     *
     * <p>Where the file system is known to cache files in base pages only (tmpfs without {@code
     * huge=}, ext4 before Linux 6.16) nothing is dropped, because nothing would be gained, and
     * {@link Mmap#hugePageReport()} names {@link HugePageObstacle#FILE_SYSTEM_WITHOUT_LARGE_FOLIOS};
     * on tmpfs the page cache is the only copy of the data and is never dropped.
     *
     * @param rebuildPageCache true to rebuild the range's page cache before mapping
     * @return these options
     */
    public MmapOptions rebuildPageCache(boolean rebuildPageCache) {
        this.rebuildPageCache = rebuildPageCache;
        return this;
    }

    /**
     * Maps a file.
     *
     * @param path the file, on the default file system
     * @return the mapping; close it when done
     * @throws IllegalArgumentException if the options do not fit the file: {@code offset} or
     *     {@code length} past its end, an empty file with length 0, access together with
     *     flags/prot, anonymous flags
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws java.nio.file.AccessDeniedException if the file cannot be opened for the access asked
     * @throws IllegalArgumentException also for {@link #hugePages(HugePages)} with a hugetlb
     *     kind (anonymous memory only), or {@code TRANSPARENT} with an offset that is not a
     *     multiple of the huge page size, or {@link #rebuildPageCache(boolean)} without {@code
     *     TRANSPARENT} or for a file that is not a regular file
     * @throws FileSystemException if the path is a directory or cannot be opened otherwise
     * @throws ErrnoException if the kernel refuses the mapping, its huge page advice or its
     *     population, or the write-back of a {@link #rebuildPageCache(boolean) rebuild} fails
     *     (EIO: then nothing was dropped and nothing is mapped)
     * @throws IOException for other I/O failures
     * @throws UnsupportedOperationException on a platform the library does not support, or for
     *     huge pages this system cannot provide ({@link HugePages#unavailableReason()})
     */
    public Mmap map(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        if (path.getFileSystem() != FileSystems.getDefault()) {
            throw new IllegalArgumentException("path must be on the default file system, was " + path.toUri());
        }
        OperatingSystem system = OperatingSystem.current();
        Effective effective = effective(false);
        requireRebuildFits();
        boolean writesFile = (effective.flags & MAP_TYPE) != MAP_PRIVATE && (effective.prot & PROT_WRITE) != 0;
        OpenFile file = system.open(path, writesFile);
        Mmap mapped;
        try {
            mapped = mapFile(system, file, path, effective);
        } catch (Throwable t) {
            file.close();
            throw t;
        }
        // With trackFd the mapping keeps the file; without, the descriptor has done its job.
        if (!trackFd) {
            file.close();
        }
        return mapped;
    }

    /**
     * Maps an open file descriptor, as CPython's {@code mmap(fileno, ...)}. The descriptor stays
     * the caller's: with {@link #trackFd(boolean) trackFd} the mapping keeps a duplicate of it.
     *
     * @param fd an open descriptor whose access mode allows the mapping asked for
     * @return the mapping; close it when done
     * @throws IllegalArgumentException if {@code fd} is negative or not open, or the options do
     *     not fit the file (see {@link #map(Path)})
     * @throws ErrnoException if the kernel refuses the mapping (EACCES: the descriptor's access
     *     mode does not allow it), its huge page advice or its population, or the write-back of
     *     a {@link #rebuildPageCache(boolean) rebuild} fails
     * @throws IOException for other I/O failures
     * @throws UnsupportedOperationException for huge pages this system cannot provide
     */
    public Mmap map(int fd) throws IOException {
        if (fd < 0) {
            throw new IllegalArgumentException("fd must be an open file descriptor >= 0 (use anonymous(length) for "
                    + "memory without a file), was " + fd);
        }
        OperatingSystem system = OperatingSystem.current();
        Effective effective = effective(false);
        requireRebuildFits();
        OpenFile borrowed = system.borrow(fd);
        OpenFile file = trackFd ? borrowed.duplicate() : borrowed;
        try {
            return mapFile(system, file, null, effective);
        } catch (Throwable t) {
            file.close();
            throw t;
        }
    }

    /**
     * Maps anonymous memory, as CPython's {@code mmap(-1, length)}: zero-filled, shared with
     * child processes for {@code MAP_SHARED} (the default) and private for {@code MAP_PRIVATE}
     * or {@link Access#COPY}. The {@link #length(long)} and {@link #offset(long)} options do not
     * apply.
     *
     * @param length bytes, {@code > 0}
     * @return the mapping; close it when done
     * @throws IllegalArgumentException if {@code length <= 0}, an offset or {@link
     *     #rebuildPageCache(boolean)} was set, or access is combined with flags/prot
     * @throws ErrnoException if the kernel refuses (ENOMEM: not enough memory or address space,
     *     or too few pages in the hugetlb pool: the message then names the pool's files and
     *     counts), or refuses the huge page advice or the population
     * @throws UnsupportedOperationException for huge pages this system cannot provide ({@link
     *     HugePages#unavailableReason()}), or on a system the library does not support
     */
    public Mmap anonymous(long length) throws ErrnoException {
        if (length <= 0) {
            throw new IllegalArgumentException("length must be > 0 for anonymous memory, was " + length);
        }
        if (offset != 0) {
            throw new IllegalArgumentException("offset applies to files only; anonymous memory was given offset "
                    + offset);
        }
        if (rebuildPageCache) {
            throw new IllegalArgumentException("rebuildPageCache applies to files only; anonymous memory has no page"
                    + " cache to rebuild");
        }
        Effective effective = effective(true);
        MappedRegion region = OperatingSystem.current().map(new MappingRequest(null, false, 0, length, align,
                effective.prot, effective.flags | MAP_ANONYMOUS, flagsSet || access != Access.DEFAULT, hugePages,
                populate, false));
        return Mmap.create(region, new Mmap.Settings(null, 0, effective.access, effective.prot, arena, trackFd,
                confined));
    }

    /** Checks the options against the file, then maps it; the file stays the caller's on failure. */
    private Mmap mapFile(OperatingSystem system, OpenFile file, Path path, Effective effective) throws IOException {
        String what = file.name();
        OpenFile.Stat stat = file.stat();
        if (stat.directory()) {
            if (path == null) {
                throw new IllegalArgumentException(what + " refers to a directory, not a file");
            }
            throw OpenFile.isADirectory(path);
        }
        long mapLength = length;
        if (stat.regularFile()) {
            long size = stat.size();
            if (mapLength == 0) {
                if (size == 0) {
                    throw new IllegalArgumentException("cannot map an empty file with length 0 (to the end of the "
                            + "file): " + what + " has size 0");
                }
                if (offset >= size) {
                    throw new IllegalArgumentException("offset " + offset + " is at or past the end of " + what
                            + " (size " + size + ")");
                }
                mapLength = size - offset;
            } else if (offset > size || size - offset < mapLength) {
                throw new IllegalArgumentException("offset " + offset + " + length " + mapLength
                        + " is past the end of " + what + " (size " + size + ")");
            }
        } else if (mapLength == 0) {
            throw new IllegalArgumentException("length 0 (to the end of the file) needs a regular file; "
                    + what + " is not one: give a length");
        }
        if (rebuildPageCache && !stat.regularFile()) {
            throw new IllegalArgumentException("rebuildPageCache needs a regular file; " + what + " is not one");
        }
        MappedRegion region = system.map(new MappingRequest(file, trackFd, offset, mapLength, align, effective.prot,
                effective.flags, true, hugePages, populate, rebuildPageCache));
        return Mmap.create(region, new Mmap.Settings(what, offset, effective.access, effective.prot, arena, trackFd,
                confined));
    }

    /** a rebuild needs the huge page mapping that reads the range back in huge folios. */
    private void requireRebuildFits() {
        if (rebuildPageCache && hugePages != HugePages.TRANSPARENT) {
            throw new IllegalArgumentException("rebuildPageCache(true) needs hugePages(TRANSPARENT), whose mapping"
                    + " reads the range back in huge folios; hugePages is " + hugePages);
        }
    }

    private record Effective(Access access, int prot, int flags) {}

    private Effective effective(boolean anonymous) {
        if (access != Access.DEFAULT && (flagsSet || protSet)) {
            throw new IllegalArgumentException("access " + access + " cannot be combined with "
                    + (flagsSet ? "flags " + MmapConstants.describeFlags(flags) : "")
                    + (flagsSet && protSet ? " and " : "")
                    + (protSet ? "prot " + MmapConstants.describeProt(prot) : "")
                    + "; use Access.DEFAULT with flags/prot, or access alone");
        }
        if (!anonymous && (flags & MAP_ANONYMOUS) != 0) {
            throw new IllegalArgumentException(
                    "flags contain MAP_ANONYMOUS, which maps no file: use anonymous(length)");
        }
        return switch (access) {
            case DEFAULT -> new Effective(access, prot, flags);
            case READ -> new Effective(access, PROT_READ, MAP_SHARED);
            case WRITE -> new Effective(access, PROT_READ | PROT_WRITE, MAP_SHARED);
            case COPY -> new Effective(access, PROT_READ | PROT_WRITE, MAP_PRIVATE);
        };
    }

    @Override
    public String toString() {
        return "MmapOptions[access=" + access + ", flags=" + MmapConstants.describeFlags(flags) + ", prot="
                + MmapConstants.describeProt(prot) + ", offset=" + offset + ", length=" + length + ", align=" + align
                + ", trackFd=" + trackFd + (hugePages != HugePages.NONE ? ", hugePages=" + hugePages : "")
                + (populate ? ", populate=true" : "") + (rebuildPageCache ? ", rebuildPageCache=true" : "")
                + (confined ? ", confined" : "")
                + (arena != null ? ", arena=" + arena : "") + "]";
    }
}
