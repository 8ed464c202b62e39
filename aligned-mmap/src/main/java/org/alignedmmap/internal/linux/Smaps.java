package org.alignedmmap.internal.linux;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.alignedmmap.Backing;

/**
 * The one parser of {@code /proc/<pid>/smaps}: per VMA a header line like {@code /proc/<pid>/maps}
 * ({@code 7f00..-7f00.. rw-p 00000000 00:00 0   [path]}), then {@code Name:   <n> kB} lines, a
 * {@code THPeligible:} line, and a {@code VmFlags:} line of two-letter flags.
 *
 * <p>The file is read as a stream and only VMAs overlapping the range asked for are kept: a JVM
 * has hundreds of VMAs and their counters are not needed.
 */
public final class Smaps {
    /** This process's smaps. */
    public static final Path SELF = Path.of("/proc/self/smaps");

    /** The {@code VmFlags} flag of VMAs advised with {@code MADV_HUGEPAGE}. */
    private static final String HUGEPAGE_ADVISED = "hg";

    private Smaps() {}

    /**
     * One VMA: its range, its counters in bytes (from the {@code kB} lines), and its flags.
     *
     * @param start the first address
     * @param end the address after the last
     * @param counters every {@code Name: <n> kB} line, by name, in bytes
     * @param vmFlags the two-letter flags of {@code VmFlags}
     */
    public record Vma(long start, long end, Map<String, Long> counters, Set<String> vmFlags) {
        /**
         * Returns a counter.
         *
         * @param name the counter's name in smaps, such as {@code "Rss"}
         * @return its value in bytes, 0 if the kernel does not report it
         */
        public long counter(String name) {
            return counters.getOrDefault(name, 0L);
        }
    }

    /**
     * Reads the VMAs of a smaps file that overlap {@code [start, end)} and sums their counters.
     *
     * @param smaps {@link #SELF}, or a copy for tests
     * @param start the start of the range
     * @param end the end of the range, {@code >= start}
     * @return the backing of the range; see {@link Backing} for how VMAs reaching outside count
     * @throws UncheckedIOException if the file cannot be read
     */
    public static Backing backing(Path smaps, long start, long end) {
        List<Vma> vmas;
        try (BufferedReader reader = Files.newBufferedReader(smaps, StandardCharsets.US_ASCII)) {
            vmas = overlapping(reader, start, end);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + smaps, e);
        }
        return sum(vmas, start, end);
    }

    /**
     * Parses smaps text and keeps the VMAs that overlap {@code [start, end)}.
     *
     * @param text the contents, as a reader
     * @param start the start of the range
     * @param end the end of the range
     * @return the overlapping VMAs, in the file's (ascending) order
     * @throws IOException if reading fails
     * @throws IllegalStateException if a line cannot be parsed as smaps
     */
    public static List<Vma> overlapping(Reader text, long start, long end) throws IOException {
        BufferedReader reader = text instanceof BufferedReader buffered ? buffered : new BufferedReader(text);
        List<Vma> vmas = new ArrayList<>();
        long vmaStart = 0;
        long vmaEnd = 0;
        Map<String, Long> counters = null; // null while skipping a VMA outside the range
        Set<String> flags = Set.of();
        boolean inVma = false;
        String line;
        while ((line = reader.readLine()) != null) {
            int colon = line.indexOf(':');
            int dash = line.indexOf('-');
            if (dash > 0 && (colon < 0 || dash < colon) && isHex(line, 0, dash)) {
                // A header: "start-end perms offset dev inode [path]" (a path may contain ':').
                if (inVma && counters != null) {
                    vmas.add(new Vma(vmaStart, vmaEnd, Map.copyOf(counters), flags));
                }
                int space = line.indexOf(' ', dash);
                if (space < 0) {
                    throw new IllegalStateException("not an smaps header: " + line);
                }
                vmaStart = Long.parseUnsignedLong(line, 0, dash, 16);
                vmaEnd = Long.parseUnsignedLong(line, dash + 1, space, 16);
                inVma = true;
                boolean overlaps = Long.compareUnsigned(vmaStart, end) < 0 && Long.compareUnsigned(start, vmaEnd) < 0;
                counters = overlaps ? new HashMap<>() : null;
                flags = Set.of();
            } else if (counters != null && colon > 0) {
                String name = line.substring(0, colon);
                String value = line.substring(colon + 1).strip();
                if (name.equals("VmFlags")) {
                    flags = value.isEmpty() ? Set.of() : Set.of(value.split("\\s+"));
                } else if (value.endsWith(" kB")) {
                    counters.put(name, Long.parseLong(value.substring(0, value.length() - 3).strip()) * 1024);
                }
                // Other lines (THPeligible, ProtectionKey) carry no amounts.
            }
        }
        if (inVma && counters != null) {
            vmas.add(new Vma(vmaStart, vmaEnd, Map.copyOf(counters), flags));
        }
        return vmas;
    }

    /**
     * Sums VMAs into the backing of {@code [start, end)}.
     *
     * @param vmas the VMAs that overlap the range
     * @param start the start of the range
     * @param end the end of the range
     * @return the backing
     */
    public static Backing sum(List<Vma> vmas, long start, long end) {
        long vmaSize = 0;
        boolean exact = true;
        long rss = 0;
        long anonymous = 0;
        long anonHuge = 0;
        long filePmd = 0;
        long shmemPmd = 0;
        long sharedHugetlb = 0;
        long privateHugetlb = 0;
        long swap = 0;
        long locked = 0;
        long kernelPageSize = 0;
        boolean advised = !vmas.isEmpty();
        for (Vma vma : vmas) {
            vmaSize += vma.end() - vma.start();
            exact &= Long.compareUnsigned(vma.start(), start) >= 0 && Long.compareUnsigned(vma.end(), end) <= 0;
            rss += vma.counter("Rss");
            anonymous += vma.counter("Anonymous");
            anonHuge += vma.counter("AnonHugePages");
            filePmd += vma.counter("FilePmdMapped");
            shmemPmd += vma.counter("ShmemPmdMapped");
            sharedHugetlb += vma.counter("Shared_Hugetlb");
            privateHugetlb += vma.counter("Private_Hugetlb");
            swap += vma.counter("Swap");
            locked += vma.counter("Locked");
            kernelPageSize = Math.max(kernelPageSize, vma.counter("KernelPageSize"));
            advised &= vma.vmFlags().contains(HUGEPAGE_ADVISED);
        }
        return new Backing(start, end - start, vmaSize, exact, rss, anonymous, anonHuge, filePmd, shmemPmd,
                sharedHugetlb, privateHugetlb, swap, locked, kernelPageSize, advised);
    }

    private static boolean isHex(String line, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Character.digit(line.charAt(i), 16) < 0) {
                return false;
            }
        }
        return to > from;
    }
}
