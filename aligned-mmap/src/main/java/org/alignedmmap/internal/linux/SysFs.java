package org.alignedmmap.internal.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.alignedmmap.HugePagePool;
import org.alignedmmap.TransparentHugePages;

/**
 * Readings of {@code /sys}: huge page pools, transparent huge pages, CPU caches and block devices.
 * Every method takes the directory to read, so that the parsing can be exercised on a copy of a
 * sysfs tree; the public API passes the real one.
 */
public final class SysFs {
    /** The hugetlb pools, one {@code hugepages-<size>kB} directory per supported huge page size. */
    public static final Path HUGEPAGES = Path.of("/sys/kernel/mm/hugepages");
    /** Transparent huge page settings. */
    public static final Path TRANSPARENT_HUGEPAGE = Path.of("/sys/kernel/mm/transparent_hugepage");
    /** The caches of the first CPU, one {@code index<n>} directory per cache. */
    public static final Path CPU0_CACHES = Path.of("/sys/devices/system/cpu/cpu0/cache");
    /** Memory counters; its {@code Hugepagesize} is the default hugetlb page size. */
    public static final Path PROC_MEMINFO = Path.of("/proc/meminfo");
    /** Block devices by device number, {@code <major>:<minor>}. */
    public static final Path DEV_BLOCK = Path.of("/sys/dev/block");

    private static final Pattern POOL_NAME = Pattern.compile("hugepages-(\\d+)kB");
    private static final Pattern HUGEPAGESIZE = Pattern.compile("(?m)^Hugepagesize:\\s+(\\d+) kB$");
    private static final Pattern BRACKETED = Pattern.compile("\\[(\\w+)]");

    private SysFs() {}

    /**
     * Lists the hugetlb pools.
     *
     * @param root {@link #HUGEPAGES} or a copy of it
     * @return the pools by ascending page size; empty if {@code root} does not exist (a kernel
     *     without hugetlb)
     * @throws UncheckedIOException if a pool's counters cannot be read
     */
    public static List<HugePagePool> hugePagePools(Path root) {
        List<HugePagePool> pools = new ArrayList<>();
        for (Path dir : list(root)) {
            Matcher name = POOL_NAME.matcher(dir.getFileName().toString());
            if (name.matches()) {
                long size = Math.multiplyExact(Long.parseLong(name.group(1)), 1024L);
                pools.add(new HugePagePool(size, count(dir, "nr_hugepages"), count(dir, "free_hugepages"),
                        count(dir, "resv_hugepages")));
            }
        }
        pools.sort(Comparator.comparingLong(HugePagePool::size));
        return List.copyOf(pools);
    }

    /**
     * Lists the huge page sizes the kernel supports, from the pool directories' names alone.
     *
     * @param root {@link #HUGEPAGES} or a copy of it
     * @return the sizes in bytes, ascending; empty if {@code root} does not exist
     */
    public static List<Long> hugePageSizes(Path root) {
        List<Long> sizes = new ArrayList<>();
        for (Path dir : list(root)) {
            Matcher name = POOL_NAME.matcher(dir.getFileName().toString());
            if (name.matches()) {
                sizes.add(Math.multiplyExact(Long.parseLong(name.group(1)), 1024L));
            }
        }
        sizes.sort(null);
        return List.copyOf(sizes);
    }

    /**
     * Reads the system-wide transparent huge page mode: the bracketed word of {@code enabled},
     * such as {@code always [madvise] never}.
     *
     * @param root {@link #TRANSPARENT_HUGEPAGE} or a copy of it
     * @return the mode; {@link TransparentHugePages#UNSUPPORTED} if the file does not exist
     * @throws IllegalStateException if the file names a mode this library does not know
     */
    public static TransparentHugePages transparentHugePages(Path root) {
        Path file = root.resolve("enabled");
        Optional<String> text = read(file);
        if (text.isEmpty()) {
            return TransparentHugePages.UNSUPPORTED;
        }
        Matcher selected = BRACKETED.matcher(text.get());
        if (selected.find()) {
            switch (selected.group(1)) {
                case "always" -> {
                    return TransparentHugePages.ALWAYS;
                }
                case "madvise" -> {
                    return TransparentHugePages.MADVISE;
                }
                case "never" -> {
                    return TransparentHugePages.NEVER;
                }
                default -> { }
            }
        }
        throw new IllegalStateException(file + " holds an unknown transparent huge page mode: " + text.get().strip());
    }

    /**
     * Reads the size of a transparent huge page (one PMD).
     *
     * @param root {@link #TRANSPARENT_HUGEPAGE} or a copy of it
     * @return {@code hpage_pmd_size} in bytes, or empty if the kernel does not tell
     */
    public static OptionalLong transparentHugePageSize(Path root) {
        return readLong(root.resolve("hpage_pmd_size"));
    }

    /**
     * Names the directory of the hugetlb pool of one page size.
     *
     * @param root {@link #HUGEPAGES} or a copy of it
     * @param size the page size in bytes
     * @return {@code root/hugepages-<size in kB>kB}, whether it exists or not
     */
    public static Path hugePoolDirectory(Path root, long size) {
        return root.resolve("hugepages-" + (size / 1024) + "kB");
    }

    /**
     * Reads the default hugetlb page size: the one {@code MAP_HUGETLB} without size bits uses.
     *
     * @param meminfo {@link #PROC_MEMINFO} or a copy of it
     * @return the {@code Hugepagesize} line in bytes, or empty if there is none (no hugetlb
     *     support) or the file cannot be read
     */
    public static OptionalLong defaultHugePageSize(Path meminfo) {
        Optional<String> text = read(meminfo);
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        Matcher line = HUGEPAGESIZE.matcher(text.get());
        return line.find() ? OptionalLong.of(Long.parseLong(line.group(1)) * 1024) : OptionalLong.empty();
    }

    /**
     * Reads the line size of the CPU's level-1 data cache.
     *
     * @param root {@link #CPU0_CACHES} or a copy of it
     * @return {@code coherency_line_size} of the first level-1 cache of type Data or Unified, or
     *     empty if none is described
     */
    public static OptionalLong cacheLineSize(Path root) {
        List<Path> caches = new ArrayList<>(list(root));
        caches.sort(null);
        for (Path cache : caches) {
            if (!cache.getFileName().toString().startsWith("index")) {
                continue;
            }
            boolean levelOne = readLong(cache.resolve("level")).orElse(-1) == 1;
            String type = read(cache.resolve("type")).map(String::strip).orElse("");
            if (levelOne && (type.equals("Data") || type.equals("Unified"))) {
                OptionalLong size = readLong(cache.resolve("coherency_line_size"));
                if (size.isPresent() && size.getAsLong() > 0) {
                    return size;
                }
            }
        }
        return OptionalLong.empty();
    }

    /**
     * Reads the logical block size of the block device a file system lives on: the smallest unit
     * the device addresses, which is what {@code O_DIRECT} had to be aligned to before file
     * systems reported their own needs.
     *
     * @param root {@link #DEV_BLOCK} or a copy of it
     * @param major the device's major number ({@code stx_dev_major})
     * @param minor the device's minor number
     * @return the size in bytes, or empty when there is no block device behind the number (major
     *     0 is what tmpfs, overlayfs, NFS and btrfs subvolumes report) or it does not say
     */
    public static OptionalLong logicalBlockSize(Path root, long major, long minor) {
        if (major == 0) {
            return OptionalLong.empty();
        }
        Path device = root.resolve(major + ":" + minor);
        OptionalLong own = readLong(device.resolve("queue/logical_block_size"));
        if (own.isPresent() || !Files.exists(device.resolve("partition"))) {
            return own;
        }
        // A partition has no queue of its own: it is the whole disk's, one directory up.
        try {
            return readLong(device.toRealPath().getParent().resolve("queue/logical_block_size"));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Reads a file that holds a decimal number.
     *
     * @return the number, or empty if the file is absent, unreadable or holds something else
     */
    static OptionalLong readLong(Path file) {
        Optional<String> text = read(file);
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(text.get().strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Reads a small text file; empty if it is absent or unreadable. */
    static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static long count(Path pool, String name) {
        Path file = pool.resolve(name);
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the huge page count " + file, e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(file + " does not hold a number", e);
        }
    }

    private static List<Path> list(Path dir) {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (NoSuchFileException absent) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return entries;
    }
}
