package org.alignedmmap.internal.linux;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a file system can cache a file in huge folios, the condition for a file mapping to get
 * huge pages. No interface tells: this is what the kernel sources say of the file systems this
 * library knows, by type, mount options and kernel version; anything else is {@link
 * Support#UNKNOWN}, and the report then judges by the outcome.
 *
 * <ul>
 *   <li><b>ext4</b>: large folios for regular files since Linux 6.16, except with {@code
 *       data=journal} or {@code dax} (and, per file, journalled data, {@code chattr +j}, and
 *       verity: not visible in the mount table).
 *   <li><b>XFS</b>: since Linux 5.18, except with {@code dax}.
 *   <li><b>tmpfs</b> (and shmem): huge pages as its {@code huge=} option says ({@code always},
 *       {@code within_size}, {@code advise}); none without it ({@code never}, the default), unless
 *       {@code /sys/kernel/mm/transparent_hugepage/shmem_enabled} is {@code force} (all of them)
 *       or {@code deny} (none).
 *   <li><b>hugetlbfs</b>: nothing but huge pages.
 * </ul>
 */
public final class LargeFolioSupport {
    /** What is known. */
    public enum Support {
        /** The file system caches files in huge folios where it can. */
        YES,
        /** It caches them in base pages only. */
        NO,
        /** This library does not know the file system, or could not find its mount. */
        UNKNOWN
    }

    /**
     * The answer and why.
     *
     * @param support what is known
     * @param reason the file system, its options and the rule applied, in words
     */
    public record Verdict(Support support, String reason) {}

    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)");

    private LargeFolioSupport() {}

    /**
     * Judges a file system.
     *
     * @param mount its mount, or empty if it was not found
     * @param kernel the kernel release, such as {@code 6.18.44-fc} ({@code os.version})
     * @param shmemEnabled the bracketed word of {@code shmem_enabled}, such as {@code never}, or
     *     empty if the kernel has no such file
     * @return the verdict
     */
    public static Verdict of(Optional<MountTable.Mount> mount, String kernel, Optional<String> shmemEnabled) {
        if (mount.isEmpty()) {
            return new Verdict(Support.UNKNOWN, "the file's device is not in " + MountTable.SELF);
        }
        MountTable.Mount m = mount.get();
        String where = m.type() + " at " + m.mountPoint() + " (" + m.superOptions() + ")";
        int version = version(kernel);
        return switch (m.type()) {
            case "ext4" -> {
                if (version < 616) {
                    yield new Verdict(Support.NO, where + ": ext4 caches files in large folios since Linux 6.16,"
                            + " this is " + kernel);
                }
                if (m.option("data").filter("journal"::equals).isPresent() || m.option("dax").isPresent()) {
                    yield new Verdict(Support.NO, where + ": ext4 keeps base pages with data=journal and dax");
                }
                yield new Verdict(Support.YES, where + ": ext4 has large folios since Linux 6.16 (not for files"
                        + " with journalled data, chattr +j)");
            }
            case "xfs" -> {
                if (version < 518) {
                    yield new Verdict(Support.NO, where + ": XFS caches files in large folios since Linux 5.18,"
                            + " this is " + kernel);
                }
                yield m.option("dax").isPresent()
                        ? new Verdict(Support.NO, where + ": XFS keeps base pages with dax")
                        : new Verdict(Support.YES, where + ": XFS has large folios since Linux 5.18");
            }
            case "tmpfs" -> tmpfs(m, where, shmemEnabled);
            case "hugetlbfs" -> new Verdict(Support.YES, where + ": hugetlbfs holds nothing but huge pages");
            default -> new Verdict(Support.UNKNOWN, where + ": not a file system this library knows the large folio"
                    + " support of");
        };
    }

    /**
     * Judges shmem itself, for shared anonymous memory.
     *
     * @param shmemEnabled the bracketed word of {@code shmem_enabled}, or empty
     * @return the verdict
     */
    public static Verdict ofShmem(Optional<String> shmemEnabled) {
        String setting = shmemEnabled.orElse("absent");
        String where = "shared anonymous memory is shmem; " + SysFs.TRANSPARENT_HUGEPAGE.resolve("shmem_enabled")
                + " is " + setting;
        return switch (setting) {
            case "always", "within_size", "advise", "force" -> new Verdict(Support.YES, where);
            default -> new Verdict(Support.NO, where);
        };
    }

    private static Verdict tmpfs(MountTable.Mount m, String where, Optional<String> shmemEnabled) {
        String global = shmemEnabled.orElse("");
        if (global.equals("force")) {
            return new Verdict(Support.YES, where + "; shmem_enabled is force: huge pages on every tmpfs");
        }
        if (global.equals("deny")) {
            return new Verdict(Support.NO, where + "; shmem_enabled is deny: no huge pages on any tmpfs");
        }
        String huge = m.option("huge").orElse("never");
        return switch (huge) {
            case "always", "within_size", "advise" -> new Verdict(Support.YES, where + ": tmpfs mounted with huge="
                    + huge);
            default -> new Verdict(Support.NO, where + ": tmpfs mounted without huge= (or huge=" + huge
                    + ") keeps files in base pages");
        };
    }

    /** {@code 6.18.44-fc} becomes 618; unparsable versions count as new. */
    static int version(String kernel) {
        Matcher m = VERSION.matcher(kernel);
        if (!m.find()) {
            return Integer.MAX_VALUE;
        }
        return Integer.parseInt(m.group(1)) * 100 + Math.min(99, Integer.parseInt(m.group(2)));
    }
}
