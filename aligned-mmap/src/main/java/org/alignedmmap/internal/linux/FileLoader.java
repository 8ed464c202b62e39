package org.alignedmmap.internal.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.alignedmmap.ErrnoException;
import org.alignedmmap.HugePages;
import org.alignedmmap.internal.MappedRegion;
import org.alignedmmap.internal.MappingRequest;
import org.alignedmmap.internal.PowerOfTwo;

/**
 * Reads a whole file into fresh huge-page memory: the body of {@code Aligned.load}.
 *
 * <h2>How it reads</h2>
 * In chunks of {@link #CHUNK} bytes at offsets that are multiples of it, {@link #READERS} at a
 * time (the calling thread and up to three more). Per chunk, {@code
 * cachestat} decides: a chunk the page cache holds entirely, or holds dirty pages of, is copied
 * from the cache (a buffered {@code pread}: a memory copy, and {@code O_DIRECT} would first
 * write the dirty pages back and then read everything from storage); any other chunk is read
 * with {@code O_DIRECT}, straight from storage into the destination, so the page cache gains
 * no second copy of the data. Where the file system refuses {@code O_DIRECT} (or the kernel has
 * no {@code cachestat}, which then counts as nothing cached) the reads are buffered.
 *
 * <p>{@code pread} is a downcall that writes the destination; that is safe here because the
 * destination is anonymous memory of our own that cannot fault with SIGBUS (a file mapping
 * could).
 *
 * <h2>Nothing left behind</h2>
 * The memory is mapped by this class and handed to the caller's arena only once the whole file
 * is in; every failure before that unmaps it and closes both descriptors.
 */
final class FileLoader {
    /**
     * Bytes per read: large enough that each direct read is split into requests of the device's
     * maximum size submitted together, small enough that the cached/uncached decision follows
     * the cache closely and that several reads are in flight at once.
     */
    static final long CHUNK = 16L << 20;

    /**
     * Reads in flight at once. Measured here (virtio disk, 1 GiB, cold): one 64 MiB direct read at
     * a time 1.2 GB/s, four 16 MiB reads at a time 1.7-1.8 GB/s; copies from the cache use every
     * core. More threads than chunks are never started.
     */
    static final int READERS = 4;

    private static final Pattern MEM_AVAILABLE = Pattern.compile("(?m)^MemAvailable:\\s+(\\d+) kB$");

    private FileLoader() {}

    /**
     * Loads a file. The arguments must have been checked for null; the arena is checked here.
     *
     * @param file the file
     * @param kind the pages to load it into
     * @param arena the arena that will own the memory
     * @return exactly the file's bytes, at a multiple of {@code kind}'s page size
     * @throws IOException see {@code Aligned.load}
     */
    @SuppressWarnings("restricted") // a liveness and thread check of the caller's arena, no memory
    static MemorySegment load(LinuxSystem system, Path file, HugePages kind, Arena arena) throws IOException {
        // Fails for a foreign thread or a dead arena now, while there is nothing to undo yet.
        MemorySegment.NULL.reinterpret(arena, null);
        String path = file.toAbsolutePath().toString();
        int fd;
        try {
            fd = LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NONBLOCK, 0);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EISDIR) {
                throw notAFile(file, "is a directory");
            }
            throw Errno.fileException(file, e);
        }
        int direct = -1;
        try {
            FileStatus status = FileStatus.of(fd);
            if (status.isDirectory()) {
                throw notAFile(file, "is a directory");
            }
            if (!status.isRegularFile()) {
                throw notAFile(file, "is not a regular file (a device, FIFO or socket has no size to load)");
            }
            long size = status.size();
            requireMemory(file, size, kind);
            direct = openDirect(path);
            // A direct read of the last, partial block transfers a whole block: the memory must
            // cover it. Block sizes above a page are rare, but the file system decides.
            long block = direct >= 0 ? directBlock(status) : LinuxSystem.basePageSize();
            long mapped = Math.max(PowerOfTwo.alignUp(size, block), 1);
            MappedRegion region;
            try {
                region = system.map(MappingRequest.anonymousMemory(mapped, LinuxSystem.basePageSize(), kind));
            } catch (ErrnoException e) {
                OutOfMemoryError error = new OutOfMemoryError("cannot map " + mapped + " bytes with hugePages " + kind
                        + " to load " + file + ": " + e.getMessage());
                error.initCause(e);
                throw error;
            }
            try {
                readAll(fd, direct, region.address(), size, block, file);
                return bind(region, size, arena);
            } catch (Throwable t) {
                region.release();
                throw t;
            }
        } finally {
            closeQuietly(direct);
            closeQuietly(fd);
        }
    }

    /**
     * Reads every chunk, {@link #READERS} at a time, and returns only when every reader has
     * stopped: the caller unmaps the memory on failure, which no reader may write to after that.
     */
    private static void readAll(int fd, int direct, long address, long size, long block, Path file)
            throws IOException {
        long chunks = (size + CHUNK - 1) / CHUNK;
        AtomicLong next = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable reader = () -> {
            long chunk;
            while (failure.get() == null && (chunk = next.getAndIncrement()) < chunks) {
                try {
                    readChunk(fd, direct, address, size, block, file, chunk * CHUNK);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }
        };
        int extra = (int) Math.max(0, Math.min(READERS, chunks) - 1);
        List<Thread> threads = new ArrayList<>(extra);
        try {
            for (int i = 0; i < extra; i++) {
                threads.add(Thread.ofPlatform().daemon().name("aligned-mmap-load-" + i).start(reader));
            }
        } catch (OutOfMemoryError | RuntimeException noThread) {
            // No more threads to be had: the ones started (and this one) read everything.
        }
        reader.run();
        boolean interrupted = false;
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the readers must finish before the memory may be unmapped
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable t = failure.get();
        if (t instanceof IOException e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
    }

    private static void readChunk(int fd, int direct, long address, long size, long block, Path file, long at)
            throws IOException {
        long n = Math.min(CHUNK, size - at);
        if (direct >= 0 && !cachedOrDirty(fd, at, n)) {
            try {
                readFully(direct, address + at, PowerOfTwo.alignUp(n, block), at, n, file);
                return;
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EINVAL) {
                    throw e;
                }
                // The file system wants another alignment than it reported: read through the cache.
            }
        }
        readFully(fd, address + at, n, at, n, file);
    }

    /** Reads until {@code need} bytes are in; a file that ends earlier has shrunk meanwhile. */
    private static void readFully(int fd, long address, long count, long offset, long need, Path file)
            throws IOException {
        long done = 0;
        while (done < need) {
            long n = LibC.pread(fd, address + done, count - done, offset + done);
            if (n == 0) {
                throw new FileSystemException(file.toString(), null, "the file shrank while it was being loaded:"
                        + " it ended at " + (offset + done) + " bytes");
            }
            done += n;
        }
    }

    /** Whether copying from the cache beats reading the chunk from storage. */
    private static boolean cachedOrDirty(int fd, long offset, long length) throws ErrnoException {
        Optional<PageCache.Stat> stat = PageCache.stat(fd, offset, length);
        if (stat.isEmpty()) {
            return false;
        }
        long pages = PowerOfTwo.alignUp(length, LinuxSystem.basePageSize()) / LinuxSystem.basePageSize();
        return stat.get().cached() >= pages || stat.get().dirty() > 0 || stat.get().writeback() > 0;
    }

    /** An O_DIRECT descriptor, or -1 where the file system refuses O_DIRECT. */
    private static int openDirect(String path) throws ErrnoException {
        try {
            return LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_DIRECT, 0);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EINVAL || e.errno() == Errno.EOPNOTSUPP) {
                return -1;
            }
            throw e;
        }
    }

    /**
     * The unit direct reads are sized in: the file system's offset alignment (or the device's
     * logical block), at least a page. Both are powers of two.
     */
    private static long directBlock(FileStatus status) {
        long block = status.reportsDirectIoAlignment() ? status.directIoOffsetAlign()
                : SysFs.logicalBlockSize(SysFs.DEV_BLOCK, status.deviceMajor(), status.deviceMinor()).orElse(0);
        return Math.max(LinuxSystem.basePageSize(), block);
    }

    /**
     * Refuses a file that cannot fit: more than the pool's free pages for hugetlb (the mapping
     * would fail anyway, this says so with the file), more than {@code MemAvailable} otherwise,
     * where the kernel's overcommit would let the mapping succeed and the reads run into the
     * out-of-memory killer instead.
     */
    private static void requireMemory(Path file, long size, HugePages kind) {
        if (kind.isHugetlb()) {
            return; // the mapping reserves its pages and fails with the pool's counts (ENOMEM)
        }
        OptionalLong available = SysFs.read(SysFs.PROC_MEMINFO).flatMap(text -> {
            Matcher m = MEM_AVAILABLE.matcher(text);
            return m.find() ? Optional.of(Long.parseLong(m.group(1)) * 1024) : Optional.empty();
        }).map(OptionalLong::of).orElse(OptionalLong.empty());
        if (available.isPresent() && size > available.getAsLong()) {
            throw new OutOfMemoryError("cannot load " + file + " of " + size + " bytes: the system has "
                    + available.getAsLong() + " bytes available (MemAvailable in " + SysFs.PROC_MEMINFO + ")");
        }
    }

    @SuppressWarnings("restricted") // the region just mapped and filled, bound to the caller's arena
    private static MemorySegment bind(MappedRegion region, long size, Arena arena) {
        // The cleanup captures only the region, so it cannot keep the arena (or anything else) reachable.
        return MemorySegment.ofAddress(region.address()).reinterpret(size, arena, ignored -> region.release());
    }

    private static FileSystemException notAFile(Path file, String why) {
        return new FileSystemException(file.toString(), null, why + "; only regular files can be loaded");
    }

    private static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            LibC.close(fd);
        } catch (ErrnoException ignored) {
            // Nothing was written through it: there is nothing a failed close could lose.
        }
    }
}
