/**
 * Linux: the one implementation of {@link org.alignedmmap.internal.OperatingSystem} so far, as
 * {@link org.alignedmmap.internal.linux.LinuxSystem}.
 *
 * <ul>
 *   <li>{@link org.alignedmmap.internal.linux.LibC} owns every downcall handle into the C
 *       library, bound so that a missing symbol disables only its call; {@link
 *       org.alignedmmap.internal.linux.Errno} is the one place where an errno becomes an
 *       exception.
 *   <li>{@link org.alignedmmap.internal.linux.LinuxMappedRegion} is one mapping and every system
 *       call made for it, resize included; {@link org.alignedmmap.internal.linux.MappingPlan}
 *       turns a request into {@code mmap} arguments and the steps after it ({@code
 *       MADV_HUGEPAGE}, {@link org.alignedmmap.internal.linux.Population}); {@link
 *       org.alignedmmap.internal.linux.AlignedMapper} places aligned mappings by reserve-then-trim.
 *   <li>{@link org.alignedmmap.internal.linux.LinuxFile} holds descriptors.
 *   <li>Readings of the running system: {@link org.alignedmmap.internal.linux.SysFs}, {@link
 *       org.alignedmmap.internal.linux.Smaps}, {@link org.alignedmmap.internal.linux.Mincore},
 *       {@link org.alignedmmap.internal.linux.MemoryLock}, {@link
 *       org.alignedmmap.internal.linux.FileStatus}.
 * </ul>
 *
 * <p>The constants are the kernel's generic ABI (x86-64, AArch64, RISC-V 64).
 */
package org.alignedmmap.internal.linux;
