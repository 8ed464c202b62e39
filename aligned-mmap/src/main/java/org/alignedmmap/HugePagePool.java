package org.alignedmmap;

/**
 * One pool of the kernel's hugetlb pages ({@code /sys/kernel/mm/hugepages/hugepages-<size>kB}):
 * pages of one size, set aside by the administrator ({@code vm.nr_hugepages} or the pool's
 * {@code nr_hugepages}), that {@code MAP_HUGETLB} mappings are made of. A mapping fails with
 * ENOMEM when fewer than it needs are {@link #available()}.
 *
 * @param size the page size in bytes, such as 2 MiB or 1 GiB
 * @param total the pages in the pool ({@code nr_hugepages}), free or in use
 * @param free the pages not in use ({@code free_hugepages}), including reserved ones
 * @param reserved free pages promised to mappings that have not touched them yet ({@code
 *     resv_hugepages})
 */
public record HugePagePool(long size, long total, long free, long reserved) {
    /**
     * Returns how many pages a new mapping can still get: free and not promised to another.
     *
     * @return {@code free - reserved}, never negative
     */
    public long available() {
        return Math.max(0, free - reserved);
    }
}
