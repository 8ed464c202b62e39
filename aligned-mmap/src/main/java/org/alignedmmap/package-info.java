/**
 * Memory-mapped files and native memory whose start address is a multiple of an alignment the
 * caller chooses, with the file-like API of Python's {@code mmap}.
 *
 * <h2>Where to start</h2>
 * <ul>
 *   <li>{@link org.alignedmmap.Mmap}, made by {@link org.alignedmmap.MmapOptions} ({@code
 *       Mmap.options()...map(path)}, {@code map(fd)}, {@code anonymous(length)}): a mapping at any
 *       alignment, with CPython's methods ({@code read}, {@code find}, {@code write}, {@code
 *       resize}...) and views ({@code segment()}, {@code asByteBuffer()}).
 *   <li>{@link org.alignedmmap.Aligned}: aligned native memory without a file, and address
 *       arithmetic. {@link org.alignedmmap.DirectIo}: aligned {@code O_DIRECT} reads.
 *   <li>{@link org.alignedmmap.HugePages}, {@link org.alignedmmap.Backing}, {@link
 *       org.alignedmmap.Residency}: huge pages, and the proof of what backs memory.
 *   <li>{@link org.alignedmmap.SystemAlignment}: what the running system says (page size, huge
 *       page sizes and pools, THP mode, cache line, {@code O_DIRECT} alignment).
 * </ul>
 *
 * <h2>Failures</h2>
 * Bad arguments throw {@link java.lang.IllegalArgumentException} (or {@link
 * java.lang.IndexOutOfBoundsException}) naming the parameter and its value, before anything is
 * mapped or opened. A refused system call throws {@link org.alignedmmap.ErrnoException}, whose
 * message names the call, its decoded arguments, the errno and, where one helps, a remedy. On a
 * system the library does not run on, calls that need the system throw {@link
 * java.lang.UnsupportedOperationException}. After any failure nothing the call set up is left
 * behind: no mapping, no reservation of address space, no file descriptor.
 */
package org.alignedmmap;
