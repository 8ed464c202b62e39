package org.alignedmmap.internal;

import org.alignedmmap.Advice;
import org.alignedmmap.Backing;
import org.alignedmmap.ErrnoException;
import org.alignedmmap.HugePageReport;
import org.alignedmmap.HugePages;
import org.alignedmmap.Residency;

/**
 * One mapping as the operating system sees it: its address range, the file it keeps (if any),
 * and every system call made for it. Rust's memmap2 calls this the inner mapping; {@link
 * org.alignedmmap.Mmap} is the outer one, which adds CPython's API, the views and the lifetime
 * guard around it.
 *
 * <p>Callers serialize: {@link #resize}, {@link #lock}, {@link #unlock}, {@link #closeFile} and
 * {@link #release} never run at the same time as another method of the same region (the
 * outer object's guard sees to it). The others may run concurrently with each other. {@link
 * #release} alone may also come from a cleaner thread, once nothing else can reach the region.
 *
 * <p>Offsets are from the start of the mapping. Nothing here touches the mapped bytes on the
 * native side: a fault on a page of a truncated file inside a system call that reads it would
 * kill the JVM, so every method only asks the kernel about pages, never reads them through libc.
 */
public interface MappedRegion {
    /**
     * Returns the address of the first mapped byte.
     *
     * @return the address, a multiple of {@link #alignment()}
     */
    long address();

    /**
     * Returns the mapped length, as asked (not rounded).
     *
     * @return the length in bytes, at least 1
     */
    long length();

    /**
     * Returns the length rounded up to whole granules: what the kernel maps.
     *
     * @return the span in bytes
     */
    long span();

    /**
     * Returns the unit the kernel rounds the region to: the hugetlb page size for hugetlb
     * memory, else the base page size.
     *
     * @return the granule in bytes
     */
    long granule();

    /**
     * Returns the alignment the region was placed at: the caller's, raised to the huge page
     * size where huge pages were asked for.
     *
     * @return a power of two
     */
    long alignment();

    /**
     * Returns the flags the region was mapped with, including those the system added (huge page
     * size bits, {@code MAP_POPULATE}).
     *
     * @return {@code MAP_*} bits
     */
    int flags();

    /**
     * Returns the kind of pages asked for.
     *
     * @return the choice
     */
    HugePages hugePages();

    /**
     * Tells whether the region keeps its file open (for {@link #fileSize()} and {@link #resize}).
     *
     * @return true while a file is kept
     */
    boolean keepsFile();

    /**
     * Returns the size of the file the region keeps.
     *
     * @return the size in bytes
     * @throws IllegalStateException if the region keeps no file
     * @throws ErrnoException if the file cannot be inspected
     */
    long fileSize() throws ErrnoException;

    /**
     * Changes the length, keeping the alignment, the contents up to the shorter length, the
     * huge page advice, the lock and the population; for a file mapping the file's size
     * becomes {@code offset + newLength}, grown before the mapping and shrunk after it, so that
     * a failure at any step is undone. The address may change.
     *
     * @param newLength the new length, at least 1
     * @throws ErrnoException if the kernel or the file system refuses; the region, its
     *     contents and the file are then as they were
     */
    void resize(long newLength) throws ErrnoException;

    /**
     * Writes a range back to the file.
     *
     * @param offset the first byte, a multiple of the page size
     * @param length the bytes
     * @param flags {@code MS_SYNC}, {@code MS_ASYNC}, optionally with {@code MS_INVALIDATE}
     * @throws ErrnoException if the write-back fails (EIO) or the flags are refused
     */
    void flush(long offset, long length, int flags) throws ErrnoException;

    /**
     * Advises the kernel about a range.
     *
     * @param offset the first byte, a multiple of the page size
     * @param length the bytes
     * @param advice the advice
     * @throws ErrnoException if the kernel refuses it
     */
    void advise(long offset, long length, Advice advice) throws ErrnoException;

    /**
     * Locks the whole region in memory; a later resize keeps it locked.
     *
     * @throws ErrnoException at the locked-memory limit, with the limit's values in the message
     */
    void lock() throws ErrnoException;

    /**
     * Undoes {@link #lock()}.
     *
     * @throws ErrnoException if the kernel refuses (the range is not mapped)
     */
    void unlock() throws ErrnoException;

    /**
     * Names anonymous memory, as it then appears in {@code /proc/self/maps}.
     *
     * @param name the name, already checked for length and characters
     * @throws ErrnoException if the kernel refuses
     * @throws UnsupportedOperationException if the kernel cannot name memory at all
     */
    void setName(String name) throws ErrnoException;

    /**
     * Reads what backs the whole region.
     *
     * @return the counters
     */
    Backing backing();

    /**
     * Tells how much of the region is in huge pages and what keeps the rest out of them,
     * compared with what was recorded when the region was made.
     *
     * @return the report
     * @throws java.io.UncheckedIOException if the system's reports cannot be read
     */
    HugePageReport hugePageReport();

    /**
     * Counts the resident pages of the whole region.
     *
     * @return the pages
     * @throws ErrnoException if the kernel refuses
     */
    Residency residency() throws ErrnoException;

    /** Closes the file the region keeps, if any; the memory stays mapped. */
    void closeFile();

    /**
     * Unmaps the memory and closes the file. Idempotent; any thread.
     *
     * @throws IllegalStateException if the kernel refuses to unmap the library's own mapping,
     *     which only wrong arguments (a bug) can cause
     */
    void release();
}
