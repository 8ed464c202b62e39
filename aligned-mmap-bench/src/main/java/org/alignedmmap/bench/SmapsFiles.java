package org.alignedmmap.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * How much of each mapped file of this process sits in huge pages, from {@code /proc/self/smaps}:
 * the sum of {@code FilePmdMapped} (page cache of a disk file system) and {@code ShmemPmdMapped}
 * (tmpfs) over every mapping of the file. Works for any directory implementation, ours or
 * Lucene's, since it asks the kernel rather than the mapping code.
 */
final class SmapsFiles {
    /** Bytes of a file mapped by this process, resident, and mapped with huge page table entries. */
    record Usage(long rss, long huge) {}

    private SmapsFiles() {}

    /** Returns the usage of every mapped file, by its path as the kernel shows it. */
    static Map<String, Usage> read() throws IOException {
        Map<String, long[]> sums = new HashMap<>();
        long[] current = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            int colon = line.indexOf(':');
            boolean header = colon < 0 || line.indexOf(' ') < colon;
            if (header) {
                // "start-end perms offset dev inode   path": the path is the sixth field, may hold spaces.
                String[] fields = line.trim().split("\\s+", 6);
                current = fields.length == 6 && fields[5].startsWith("/")
                        ? sums.computeIfAbsent(fields[5], k -> new long[2]) : null;
                continue;
            }
            if (current == null) {
                continue;
            }
            String key = line.substring(0, colon);
            if (key.equals("Rss")) {
                current[0] += kib(line, colon);
            } else if (key.equals("FilePmdMapped") || key.equals("ShmemPmdMapped")) {
                current[1] += kib(line, colon);
            }
        }
        Map<String, Usage> usage = new HashMap<>();
        sums.forEach((path, v) -> usage.put(path, new Usage(v[0], v[1])));
        return usage;
    }

    /**
     * Returns the percent of {@code file} (of its size) mapped in huge pages by this process, 0
     * when it is not mapped.
     */
    static double hugePercent(Map<String, Usage> usage, Path file) throws IOException {
        Usage u = usage.get(file.toAbsolutePath().normalize().toString());
        long size = Files.size(file);
        return u == null || size == 0 ? 0 : Math.min(100.0, 100.0 * u.huge() / size);
    }

    private static long kib(String line, int colon) {
        String value = line.substring(colon + 1).trim();
        int space = value.indexOf(' ');
        return 1024 * Long.parseLong(space < 0 ? value : value.substring(0, space));
    }
}
