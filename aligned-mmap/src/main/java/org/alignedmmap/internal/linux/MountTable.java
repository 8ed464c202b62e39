package org.alignedmmap.internal.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code /proc/self/mountinfo}: which file system, with which options, a device number belongs
 * to. A line reads {@code 36 35 98:0 /root /mnt rw,noatime master:1 - ext4 /dev/vda rw,data=ordered}:
 * mount id, parent id, {@code major:minor}, root, mount point, mount options, optional fields,
 * a dash, the file system type, its source and the superblock's options.
 */
public final class MountTable {
    /** This process's mount table. */
    public static final Path SELF = Path.of("/proc/self/mountinfo");

    /**
     * One mount.
     *
     * @param major the device's major number ({@code stx_dev_major} of its files)
     * @param minor the device's minor number
     * @param mountPoint where it is mounted, unescaped
     * @param type the file system type, such as {@code ext4} or {@code tmpfs}
     * @param source what is mounted, such as {@code /dev/vda}
     * @param superOptions the superblock's options, such as {@code rw,size=65536k,huge=within_size}
     */
    public record Mount(long major, long minor, String mountPoint, String type, String source, String superOptions) {
        /**
         * Returns the value of a superblock option.
         *
         * @param name the option, such as {@code huge} or {@code data}
         * @return its value, {@code ""} for a flag without one, empty if the option is not set
         */
        public Optional<String> option(String name) {
            for (String option : superOptions.split(",")) {
                int eq = option.indexOf('=');
                String key = eq < 0 ? option : option.substring(0, eq);
                if (key.equals(name)) {
                    return Optional.of(eq < 0 ? "" : option.substring(eq + 1));
                }
            }
            return Optional.empty();
        }
    }

    private MountTable() {}

    /**
     * Finds the mount of a device number.
     *
     * @param mountinfo {@link #SELF} or a copy of it
     * @param major the device's major number
     * @param minor the device's minor number
     * @return the last mount of that device (later mounts hide earlier ones), or empty if none
     *     is listed (btrfs subvolumes report numbers of their own) or the file cannot be read
     */
    public static Optional<Mount> ofDevice(Path mountinfo, long major, long minor) {
        List<Mount> mounts = read(mountinfo);
        for (int i = mounts.size() - 1; i >= 0; i--) {
            Mount m = mounts.get(i);
            if (m.major() == major && m.minor() == minor) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /**
     * Parses a mount table.
     *
     * @param mountinfo {@link #SELF} or a copy of it
     * @return its mounts in order; empty if it cannot be read; lines that do not parse are skipped
     */
    public static List<Mount> read(Path mountinfo) {
        List<String> lines;
        try {
            lines = Files.readAllLines(mountinfo);
        } catch (IOException | SecurityException e) {
            return List.of();
        }
        List<Mount> mounts = new ArrayList<>();
        for (String line : lines) {
            parse(line).ifPresent(mounts::add);
        }
        return mounts;
    }

    /**
     * Parses one line.
     *
     * @param line a line of mountinfo
     * @return the mount, or empty if the line does not have the format
     */
    static Optional<Mount> parse(String line) {
        String[] fields = line.split(" ");
        int dash = -1;
        for (int i = 6; i < fields.length; i++) {
            if (fields[i].equals("-")) {
                dash = i;
                break;
            }
        }
        if (dash < 0 || fields.length < dash + 3) {
            return Optional.empty();
        }
        String[] device = fields[2].split(":");
        if (device.length != 2) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Mount(Long.parseLong(device[0]), Long.parseLong(device[1]), unescape(fields[4]),
                    fields[dash + 1], unescape(fields[dash + 2]), fields.length > dash + 3 ? fields[dash + 3] : ""));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The kernel writes space, tab, newline and backslash as octal escapes ({@code \040}). */
    private static String unescape(String field) {
        StringBuilder s = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                s.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }

    private static boolean isOctal(String field, int from) {
        if (from + 3 > field.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (field.charAt(i) < '0' || field.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
