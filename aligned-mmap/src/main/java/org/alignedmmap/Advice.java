package org.alignedmmap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code madvise(2)} advice values Linux accepts, for {@link Mmap#advise(Advice, long, long)};
 * CPython's {@code mmap.MADV_*}. Which of them the running kernel knows is answered by {@link
 * #isSupported()}. Memory-poisoning advice ({@code MADV_HWPOISON}, {@code MADV_SOFT_OFFLINE}) is
 * left out on purpose: it is a kernel test tool that damages pages.
 */
public enum Advice {
    /** No special treatment. */
    NORMAL(0, 0, 0, null),
    /** Expect random access: read ahead less. */
    RANDOM(1, 0, 0, null),
    /** Expect sequential access: read ahead more, free behind. */
    SEQUENTIAL(2, 0, 0, null),
    /** Expect access soon: start reading in. */
    WILLNEED(3, 0, 0, null),
    /**
     * Not needed for now: drop the pages. File pages are read again on access; anonymous and
     * copy-on-write pages come back zero-filled, so private data is lost.
     */
    DONTNEED(4, 0, 0, null),
    /** Private anonymous pages may be freed lazily, their contents lost (Linux 4.5). */
    FREE(8, 4, 5, null),
    /** Free the range and its backing store: punches a hole in a shared file mapping (Linux 2.6.16). */
    REMOVE(9, 2, 6, null),
    /** Do not make the range available to a child after fork. */
    DONTFORK(10, 2, 6, null),
    /** Undo {@link #DONTFORK}. */
    DOFORK(11, 2, 6, null),
    /** Let KSM merge identical pages (needs a kernel with KSM). */
    MERGEABLE(12, 2, 6, "/sys/kernel/mm/ksm"),
    /** Undo {@link #MERGEABLE}. */
    UNMERGEABLE(13, 2, 6, "/sys/kernel/mm/ksm"),
    /** Back the range with transparent huge pages where possible (needs THP). */
    HUGEPAGE(14, 2, 6, "/sys/kernel/mm/transparent_hugepage"),
    /** Do not back the range with transparent huge pages. */
    NOHUGEPAGE(15, 2, 6, "/sys/kernel/mm/transparent_hugepage"),
    /** Leave the range out of core dumps (Linux 3.4). */
    DONTDUMP(16, 3, 4, null),
    /** Undo {@link #DONTDUMP}. */
    DODUMP(17, 3, 4, null),
    /** A child after fork sees the range zero-filled (private anonymous only, Linux 4.14). */
    WIPEONFORK(18, 4, 14, null),
    /** Undo {@link #WIPEONFORK}. */
    KEEPONFORK(19, 4, 14, null),
    /** Deactivate the pages: reclaim them first under pressure (Linux 5.4). */
    COLD(20, 5, 4, null),
    /** Reclaim the pages now (Linux 5.4). */
    PAGEOUT(21, 5, 4, null),
    /** Fault the pages in readable now, like reading every page (Linux 5.14). */
    POPULATE_READ(22, 5, 14, null),
    /** Fault the pages in writable now, like writing every page (Linux 5.14). */
    POPULATE_WRITE(23, 5, 14, null),
    /** Like {@link #DONTNEED}, also for locked pages (Linux 5.18). */
    DONTNEED_LOCKED(24, 5, 18, null),
    /** Collapse the range into transparent huge pages now, synchronously (Linux 6.1, needs THP). */
    COLLAPSE(25, 6, 1, "/sys/kernel/mm/transparent_hugepage");

    private final int value;
    private final int sinceMajor;
    private final int sinceMinor;
    private final String requiredSysfs;

    Advice(int value, int sinceMajor, int sinceMinor, String requiredSysfs) {
        this.value = value;
        this.sinceMajor = sinceMajor;
        this.sinceMinor = sinceMinor;
        this.requiredSysfs = requiredSysfs;
    }

    /**
     * Returns the raw {@code MADV_*} value passed to {@code madvise(2)}.
     *
     * @return the Linux value
     */
    public int value() {
        return value;
    }

    /**
     * Tells whether the running kernel knows this advice: it is at least the version that
     * introduced it and, for advice that needs an optional kernel feature (KSM, transparent huge
     * pages), that feature is present. The kernel may still refuse the advice for a particular
     * kind of mapping (for example {@link #REMOVE} on private memory).
     *
     * @return true if {@code madvise} with this value can succeed here
     */
    public boolean isSupported() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return false;
        }
        int[] version = KernelVersion.CURRENT;
        boolean recentEnough = version[0] > sinceMajor || (version[0] == sinceMajor && version[1] >= sinceMinor);
        return recentEnough && (requiredSysfs == null || Files.isDirectory(Path.of(requiredSysfs)));
    }

    /** The running kernel's major and minor version, from {@code os.version}. */
    private static final class KernelVersion {
        static final int[] CURRENT = parse(System.getProperty("os.version", "0.0"));

        static int[] parse(String release) {
            String[] parts = release.split("[.\\-+_]");
            int major = parts.length > 0 ? leadingInt(parts[0]) : 0;
            int minor = parts.length > 1 ? leadingInt(parts[1]) : 0;
            return new int[] {major, minor};
        }

        private static int leadingInt(String text) {
            int end = 0;
            while (end < text.length() && Character.isDigit(text.charAt(end))) {
                end++;
            }
            return end == 0 ? 0 : Integer.parseInt(text.substring(0, end));
        }
    }
}
