/**
 * The library's inside, not exported: its contracts may change in any release.
 *
 * <ul>
 *   <li>The seam to the operating system: {@link org.alignedmmap.internal.OperatingSystem} (and
 *       the {@link org.alignedmmap.internal.MappedRegion} and {@link
 *       org.alignedmmap.internal.OpenFile} it hands out, made from a {@link
 *       org.alignedmmap.internal.MappingRequest}); every system call of the library happens
 *       behind it. {@link org.alignedmmap.internal.UnsupportedSystem} answers on systems the
 *       library does not run on; {@code org.alignedmmap.internal.linux} is Linux.
 *   <li>What needs no operating system: the lifetime guard of a mapping ({@link
 *       org.alignedmmap.internal.AccessGuard}), the search kernels ({@link
 *       org.alignedmmap.internal.ByteSearch}), the allocation policy of {@code Aligned} ({@link
 *       org.alignedmmap.internal.NativeMemory}), power-of-two arithmetic ({@link
 *       org.alignedmmap.internal.PowerOfTwo}) and page rounding ({@link
 *       org.alignedmmap.internal.PageRange}).
 * </ul>
 */
package org.alignedmmap.internal;
