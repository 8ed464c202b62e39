package org.alignedmmap.lucene;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The witness of these tests: the counters of /proc/self/smaps for the mapping (VMA) that holds
 * an address, read fresh on every call. (The library's own smaps reader lives in its test
 * sources, which are not published; this is the small part these tests need.)
 */
final class Smaps {
    private Smaps() {}

    /**
     * Returns one counter of the mappings that cover {@code [address, address + length)}, summed
     * (advice on part of a mapping splits it into several VMAs).
     *
     * @param address the first byte
     * @param length the bytes
     * @param counter the counter's name, for example {@code FilePmdMapped} or {@code Rss}
     * @return bytes
     * @throws IOException if smaps cannot be read
     * @throws IllegalStateException if no mapping covers {@code address}
     */
    static long counter(long address, long length, String counter) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        long sum = 0;
        boolean found = false;
        boolean inside = false;
        String prefix = counter + ":";
        for (String line : lines) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && isHex(line, 0, dash)) {
                long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = start < address + length && end > address;
                found |= inside;
            } else if (inside && line.startsWith(prefix)) {
                String value = line.substring(prefix.length()).trim().toLowerCase(Locale.ROOT);
                sum += Long.parseLong(value.replace("kb", "").trim()) * 1024;
            }
        }
        if (!found) {
            throw new IllegalStateException("no mapping covers 0x" + Long.toHexString(address)
                    + " in /proc/self/smaps");
        }
        return sum;
    }

    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return to > from;
    }

    /**
     * Returns the file system type of the mount that holds a path, from /proc/mounts (the
     * longest mount point that is a prefix of the real path).
     *
     * @param path an existing path
     * @return for example {@code ext4} or {@code tmpfs}
     * @throws IOException if the path or /proc/mounts cannot be read
     */
    static String fileSystemType(Path path) throws IOException {
        String real = path.toRealPath().toString();
        String best = "";
        String type = "unknown";
        for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
            String[] fields = line.split(" ");
            String mount = fields[1];
            boolean covers = real.equals(mount) || real.startsWith(mount.endsWith("/") ? mount : mount + "/");
            if (covers && mount.length() >= best.length()) {
                best = mount;
                type = fields[2];
            }
        }
        return type;
    }
}
