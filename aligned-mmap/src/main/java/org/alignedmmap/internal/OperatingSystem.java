package org.alignedmmap.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import org.alignedmmap.Advice;
import org.alignedmmap.Backing;
import org.alignedmmap.DirectIoAlignment;
import org.alignedmmap.ErrnoException;
import org.alignedmmap.HugePagePool;
import org.alignedmmap.HugePages;
import org.alignedmmap.Residency;
import org.alignedmmap.TransparentHugePages;
import org.alignedmmap.internal.linux.LinuxSystem;

/**
 * The seam between the library and the operating system: every system call the library makes,
 * and every reading of the system's files, happens behind this interface or behind the {@link
 * MappedRegion} and {@link OpenFile} objects it hands out. The public package and the
 * platform-neutral internals ({@link NativeMemory}, the search kernels, {@link AccessGuard}) only
 * ever talk to it.
 *
 * <p>One implementation per operating system, as Rust's memmap2 keeps {@code unix.rs} and
 * {@code windows.rs} behind one inner type: {@link LinuxSystem} today; {@link UnsupportedSystem}
 * everywhere else, which answers every call with one clear {@link UnsupportedOperationException}
 * instead of an error from deep inside a system call. A port implements this interface and adds
 * its case to {@link #current()}.
 *
 * <p>Values in the requests and results are the public API's: {@code PROT_*}/{@code MAP_*} bits
 * of {@link org.alignedmmap.MmapConstants} (CPython's Unix names), {@link Advice}, {@link
 * HugePages}. An implementation translates them to its own calls, or refuses what it cannot do
 * with {@link UnsupportedOperationException} naming the feature.
 */
public interface OperatingSystem {
    /**
     * Returns the implementation for the running system. Choosing it reads two system
     * properties and binds nothing: it never throws.
     *
     * @return the implementation, {@link UnsupportedSystem} where the library does not run
     */
    static OperatingSystem current() {
        return Current.SYSTEM;
    }

    /**
     * Returns the base page size.
     *
     * @return the page size in bytes, a power of two
     * @throws UnsupportedOperationException on a system the library does not support
     */
    long pageSize();

    /**
     * Returns the granularity that file offsets of a mapping must be a multiple of (CPython's
     * {@code ALLOCATIONGRANULARITY}): the page size on Unix, 64 KiB on Windows.
     *
     * @return the granularity in bytes, a power of two
     * @throws UnsupportedOperationException on a system the library does not support
     */
    long allocationGranularity();

    /**
     * Returns the level-1 data cache line size.
     *
     * @return the size in bytes, or empty when the system does not tell
     * @throws UnsupportedOperationException on a system the library does not support
     */
    OptionalLong cacheLineSize();

    /**
     * Returns the hugetlb page sizes the kernel supports.
     *
     * @return the sizes, ascending; empty without hugetlb support
     */
    List<Long> hugePageSizes();

    /**
     * Returns the hugetlb pools and their counts.
     *
     * @return the pools, ascending by size; empty without hugetlb support
     */
    List<HugePagePool> hugePagePools();

    /**
     * Returns the system-wide transparent huge page mode.
     *
     * @return the mode, {@link TransparentHugePages#UNSUPPORTED} without THP
     */
    TransparentHugePages transparentHugePages();

    /**
     * Returns the transparent huge page (PMD) size.
     *
     * @return the size, or empty without THP
     */
    OptionalLong transparentHugePageSize();

    /**
     * Returns the page size of a kind of huge pages, which is also the least alignment a
     * mapping of that kind gets.
     *
     * @param kind the kind
     * @return the size in bytes
     * @throws UnsupportedOperationException if the system does not say (the message is {@link
     *     #unavailableReason(HugePages)})
     */
    long pageSize(HugePages kind);

    /**
     * Tells why the system cannot back memory with a kind of pages.
     *
     * @param kind the kind
     * @return the reason, naming the file or setting it comes from; empty when available
     */
    Optional<String> unavailableReason(HugePages kind);

    /**
     * Tells whether the kernel knows an advice.
     *
     * @param advice the advice
     * @return true if {@code madvise} with it can succeed here
     */
    boolean supports(Advice advice);

    /**
     * Tells what {@code O_DIRECT} demands of I/O on a file.
     *
     * @param path the file
     * @return the alignments and where they come from
     * @throws IOException as {@link org.alignedmmap.SystemAlignment#directIo(Path)} documents
     */
    DirectIoAlignment directIoAlignment(Path path) throws IOException;

    /**
     * Opens a file for mapping: read-only, or for reading and writing when {@code write}. Never
     * blocks on a FIFO; the descriptor does not leak into child processes.
     *
     * @param path the file, on the default file system
     * @param write whether the mapping may write the file
     * @return the open file, owned by the caller
     * @throws java.nio.file.NoSuchFileException if it does not exist
     * @throws java.nio.file.AccessDeniedException if it cannot be opened for the access asked
     * @throws java.nio.file.FileSystemException if it is a directory or cannot be opened otherwise
     */
    OpenFile open(Path path, boolean write) throws IOException;

    /**
     * Wraps a caller's descriptor, after checking it is open; closing the wrapper leaves the
     * descriptor open.
     *
     * @param fd the caller's descriptor
     * @return the file, borrowed
     * @throws IllegalArgumentException if {@code fd} is not an open descriptor
     * @throws ErrnoException if the descriptor cannot be inspected otherwise
     */
    OpenFile borrow(int fd) throws ErrnoException;

    /**
     * Maps a file or anonymous memory at the alignment the request asks for, with its huge
     * pages, advice and population.
     *
     * @param request what to map
     * @return the region, owned by the caller, who releases it
     * @throws ErrnoException if the kernel refuses; nothing is left mapped then
     * @throws IllegalArgumentException for combinations the system refuses before mapping
     *     (for example hugetlb pages for a file)
     * @throws UnsupportedOperationException for huge pages or flags this system cannot provide
     */
    MappedRegion map(MappingRequest request) throws ErrnoException;

    /**
     * Loads a whole file into fresh memory backed by a kind of pages, read with {@code O_DIRECT}
     * where the file system allows and the page cache holds no newer copy.
     *
     * @param file the file
     * @param kind the pages
     * @param arena the arena that owns the memory afterwards
     * @return exactly the file's bytes, bound to {@code arena}
     * @throws IOException as {@link org.alignedmmap.Aligned#load} documents; nothing is left mapped or
     *     open then
     */
    java.lang.foreign.MemorySegment load(Path file, HugePages kind, java.lang.foreign.Arena arena) throws IOException;

    /**
     * Reads what backs a range of this process's memory.
     *
     * @param start the first address, page-aligned
     * @param end the address after the range, page-aligned
     * @return the counters
     * @throws java.io.UncheckedIOException if the system's report cannot be read
     */
    Backing backing(long start, long end);

    /**
     * Counts the resident pages of a range of this process's memory.
     *
     * @param start the first address, page-aligned
     * @param length the length, a multiple of the page size
     * @return the resident and total pages
     * @throws ErrnoException if part of the range is not mapped
     */
    Residency residency(long start, long length) throws ErrnoException;

    /** Chooses the implementation once, from the properties the JVM started with. */
    final class Current {
        static final OperatingSystem SYSTEM = choose(System.getProperty("os.name", "?"),
                System.getProperty("os.arch", "?"));

        private Current() {}

        /**
         * Linux, on the architectures whose {@code mman.h}, {@code fcntl.h} and errno values are
         * the kernel's generic ones ({@link org.alignedmmap.MmapConstants} holds those). MIPS,
         * PowerPC and SPARC number some of them differently, so they are not claimed.
         */
        static OperatingSystem choose(String os, String arch) {
            boolean linux = os.toLowerCase(Locale.ROOT).startsWith("linux");
            boolean genericAbi = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64")
                    || arch.equals("riscv64");
            if (linux && genericAbi) {
                return new LinuxSystem();
            }
            return new UnsupportedSystem("aligned-mmap runs on Linux (x86-64, AArch64, RISC-V 64); this is " + os
                    + " on " + arch);
        }
    }
}
