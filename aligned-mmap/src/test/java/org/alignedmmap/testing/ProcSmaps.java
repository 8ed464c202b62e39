package org.alignedmmap.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** /proc/self/smaps as a witness: how much of each mapping is resident, and in what pages. */
public final class ProcSmaps {
    /** One mapping (VMA) with its counters, in bytes. */
    public record Entry(long start, long end, String perms, Map<String, Long> counters) {
        public long rss() {
            return counters.getOrDefault("Rss", 0L);
        }

        public long anonHugePages() {
            return counters.getOrDefault("AnonHugePages", 0L);
        }
    }

    private final List<Entry> entries;

    private ProcSmaps(List<Entry> entries) {
        this.entries = entries;
    }

    public static ProcSmaps read() {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Entry> entries = new ArrayList<>();
        long start = 0;
        long end = 0;
        String perms = "";
        Map<String, Long> counters = null;
        for (String line : lines) {
            String[] fields = line.trim().split("\\s+");
            if (fields[0].contains("-") && !fields[0].endsWith(":")) {
                if (counters != null) {
                    entries.add(new Entry(start, end, perms, counters));
                }
                String[] range = fields[0].split("-");
                start = Long.parseUnsignedLong(range[0], 16);
                end = Long.parseUnsignedLong(range[1], 16);
                perms = fields[1];
                counters = new HashMap<>();
            } else if (counters != null && fields.length == 3 && fields[2].equals("kB")) {
                counters.put(fields[0].substring(0, fields[0].length() - 1), Long.parseLong(fields[1]) * 1024);
            }
        }
        if (counters != null) {
            entries.add(new Entry(start, end, perms, counters));
        }
        return new ProcSmaps(entries);
    }

    /** The mapping containing {@code address}, or null. */
    public Entry entryAt(long address) {
        return entries.stream().filter(e -> e.start <= address && address < e.end).findFirst().orElse(null);
    }
}
