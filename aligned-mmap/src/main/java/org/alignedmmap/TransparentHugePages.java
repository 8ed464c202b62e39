package org.alignedmmap;

/**
 * The system-wide mode of transparent huge pages for anonymous memory, as set in {@code
 * /sys/kernel/mm/transparent_hugepage/enabled}. A THP backs a whole aligned block of {@link
 * SystemAlignment#transparentHugePageSize()} bytes, so only memory aligned to that size can get one.
 */
public enum TransparentHugePages {
    /** Every large enough, suitably aligned anonymous range may get huge pages. */
    ALWAYS,
    /** Only ranges marked with {@code madvise(MADV_HUGEPAGE)} get huge pages. */
    MADVISE,
    /** No transparent huge pages. */
    NEVER,
    /** The kernel has no transparent huge page support (the sysfs file does not exist). */
    UNSUPPORTED
}
