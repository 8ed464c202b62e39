package org.alignedmmap.internal.linux;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The transparent huge page settings beyond the system-wide mode that {@link SysFs} reads: the
 * mode for one huge page size, shmem's mode, the defrag policy, and whether this process switched
 * THP off for itself. Every method takes the directory to read, like {@link SysFs}.
 */
public final class ThpSettings {
    /** This process's status, whose {@code THP_enabled} line tells of {@code PR_SET_THP_DISABLE}. */
    public static final Path PROC_STATUS = Path.of("/proc/self/status");

    private static final Pattern BRACKETED = Pattern.compile("\\[([\\w+]+)]");
    private static final Pattern THP_ENABLED = Pattern.compile("(?m)^THP_enabled:\\s+(\\d+)$");

    private ThpSettings() {}

    /**
     * Reads shmem's mode ({@code shmem_enabled}: always, within_size, advise, never, deny, force).
     *
     * @param root {@link SysFs#TRANSPARENT_HUGEPAGE} or a copy of it
     * @return the bracketed word, or empty if the file is absent
     */
    public static Optional<String> shmemEnabled(Path root) {
        return bracketed(root.resolve("shmem_enabled"));
    }

    /**
     * Reads the mode for one huge page size ({@code hugepages-<kB>kB/enabled}, Linux 6.8+).
     *
     * @param root {@link SysFs#TRANSPARENT_HUGEPAGE} or a copy of it
     * @param size the huge page size in bytes
     * @return always, inherit, madvise or never; empty if the kernel has no per-size setting
     */
    public static Optional<String> sizeEnabled(Path root, long size) {
        return bracketed(root.resolve("hugepages-" + (size / 1024) + "kB").resolve("enabled"));
    }

    /**
     * Reads the defrag policy ({@code defrag}: always, defer, defer+madvise, madvise, never).
     *
     * @param root {@link SysFs#TRANSPARENT_HUGEPAGE} or a copy of it
     * @return the bracketed word, or empty if absent
     */
    public static Optional<String> defrag(Path root) {
        return bracketed(root.resolve("defrag"));
    }

    /**
     * Tells whether this process switched transparent huge pages off ({@code
     * prctl(PR_SET_THP_DISABLE)}, inherited over fork and exec).
     *
     * @param status {@link #PROC_STATUS} or a copy of it
     * @return true if {@code THP_enabled} is 0; false if 1 or not reported
     */
    public static boolean processDisabled(Path status) {
        Optional<String> text = SysFs.read(status);
        if (text.isEmpty()) {
            return false;
        }
        Matcher m = THP_ENABLED.matcher(text.get());
        return m.find() && m.group(1).equals("0");
    }

    private static Optional<String> bracketed(Path file) {
        return SysFs.read(file).flatMap(text -> {
            Matcher m = BRACKETED.matcher(text);
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        });
    }
}
