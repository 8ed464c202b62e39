package org.alignedmmap.internal.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The kernel's system-wide counts of huge page allocations that fell back to base pages ({@code
 * /proc/vmstat}), and the free blocks of huge page size left ({@code /proc/buddyinfo}): the
 * evidence of fragmentation. Both are readable without privileges.
 *
 * <p>What the counters cover (Documentation/admin-guide/mm/transhuge.rst): {@code
 * thp_fault_fallback} counts anonymous faults that wanted a huge page and got a base page, {@code
 * thp_file_fallback} the same for shmem and tmpfs, each with a {@code _charge} twin for memory
 * cgroups that were full. Folios of the ordinary page cache (ext4, XFS) are not counted anywhere:
 * for them only the free blocks tell.
 */
public final class ThpCounters {
    /** The counters. */
    public static final Path VMSTAT = Path.of("/proc/vmstat");
    /** Free blocks per zone and order. */
    public static final Path BUDDYINFO = Path.of("/proc/buddyinfo");

    /** Anonymous memory: faults that fell back. */
    public static final List<String> ANONYMOUS = List.of("thp_fault_fallback", "thp_fault_fallback_charge");
    /** shmem and tmpfs: allocations that fell back. */
    public static final List<String> SHMEM = List.of("thp_file_fallback", "thp_file_fallback_charge");

    /**
     * How old a reading {@link #recent()} hands out may be. Reading {@code /proc/vmstat} costs
     * 0.1-0.5 ms here, 10 to 50 times a small mapping: programs that map in a loop share one
     * reading per interval, and a rise is then measured from at most this long before the mapping.
     */
    static final long RECENT_NANOS = 1_000_000_000L;

    /** The last reading and when it was taken, replaced whole. */
    private record Reading(long nanoTime, Map<String, Long> counters) {}

    private static volatile Reading last;

    private ThpCounters() {}

    /**
     * Returns a reading of {@link #VMSTAT} at most {@link #RECENT_NANOS} old.
     *
     * @return the fallback counters, as {@link #read(Path)} gives them
     */
    public static Map<String, Long> recent() {
        Reading reading = last;
        long now = System.nanoTime();
        if (reading == null || now - reading.nanoTime() > RECENT_NANOS) {
            reading = new Reading(now, read(VMSTAT));
            last = reading;
        }
        return reading.counters();
    }

    /**
     * Reads the fallback counters.
     *
     * @param vmstat {@link #VMSTAT} or a copy of it
     * @return every counter of {@link #ANONYMOUS} and {@link #SHMEM} the kernel has; empty if the
     *     file cannot be read
     */
    public static Map<String, Long> read(Path vmstat) {
        Map<String, Long> counters = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(vmstat);
        } catch (IOException | SecurityException e) {
            return Map.of();
        }
        for (String line : lines) {
            int space = line.indexOf(' ');
            if (space < 0) {
                continue;
            }
            String name = line.substring(0, space);
            if (ANONYMOUS.contains(name) || SHMEM.contains(name)) {
                try {
                    counters.put(name, Long.parseLong(line.substring(space + 1).strip()));
                } catch (NumberFormatException ignored) {
                    // not a counter after all
                }
            }
        }
        return Map.copyOf(counters);
    }

    /**
     * Sums how much some counters rose between two readings.
     *
     * @param before the earlier reading
     * @param now the later reading
     * @param names the counters to add up
     * @return the rise; 0 where a counter is missing from either reading
     */
    public static long rise(Map<String, Long> before, Map<String, Long> now, List<String> names) {
        long rise = 0;
        for (String name : names) {
            Long was = before.get(name);
            Long is = now.get(name);
            if (was != null && is != null && is > was) {
                rise += is - was;
            }
        }
        return rise;
    }

    /**
     * Counts the free memory blocks large enough for a huge page, over every zone.
     *
     * @param buddyinfo {@link #BUDDYINFO} or a copy of it
     * @param hugePageSize the huge page size
     * @param pageSize the base page size
     * @return free blocks of {@code hugePageSize} or more, counted in huge pages; empty if the
     *     file cannot be read or has no column for that order
     */
    public static OptionalLong freeHugeBlocks(Path buddyinfo, long hugePageSize, long pageSize) {
        int order = Long.numberOfTrailingZeros(hugePageSize / pageSize);
        List<String> lines;
        try {
            lines = Files.readAllLines(buddyinfo);
        } catch (IOException | SecurityException e) {
            return OptionalLong.empty();
        }
        long blocks = 0;
        boolean seen = false;
        for (String line : lines) {
            // "Node 0, zone   Normal   n0 n1 ... n10": the counts follow the zone's name.
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 5 || !fields[2].equals("zone")) {
                continue;
            }
            for (int k = order; 4 + k < fields.length; k++) {
                try {
                    blocks += Long.parseLong(fields[4 + k]) << (k - order);
                    seen = true;
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return seen ? OptionalLong.of(blocks) : OptionalLong.empty();
    }
}
