package org.alignedmmap.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * /proc/self/maps as a witness: what the kernel says is mapped, compared before and after.
 */
public final class ProcMaps {
    /** One line of /proc/self/maps. */
    public record Region(long start, long end, String perms, String path) {
        public long size() {
            return end - start;
        }

        public boolean sameKind(Region other) {
            return other != null && perms.equals(other.perms) && path.equals(other.path);
        }
    }

    /** A half-open address range. */
    public record Range(long start, long end) {
        public long size() {
            return end - start;
        }

        @Override
        public String toString() {
            return "[0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(end) + ")";
        }
    }

    private final List<Region> regions;

    private ProcMaps(List<Region> regions) {
        this.regions = regions;
    }

    public static ProcMaps read() {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/maps"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Region> regions = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.trim().split("\\s+", 6);
            String[] range = fields[0].split("-");
            regions.add(new Region(Long.parseUnsignedLong(range[0], 16), Long.parseUnsignedLong(range[1], 16),
                    fields[1], fields.length > 5 ? fields[5] : ""));
        }
        return new ProcMaps(regions);
    }

    public List<Region> regions() {
        return regions;
    }

    /** The region containing {@code address}, or null. */
    public Region regionAt(long address) {
        for (Region r : regions) {
            if (r.start <= address && address < r.end) {
                return r;
            }
        }
        return null;
    }

    /** Whether any byte of {@code [start, end)} is mapped. */
    public boolean anyMapped(long start, long end) {
        return regions.stream().anyMatch(r -> r.start < end && start < r.end);
    }

    /**
     * The ranges inside {@code [from, to)} whose mapping differs between two snapshots (mapped in
     * one only, or with other permissions or backing), merged where adjacent.
     */
    public static List<Range> changed(ProcMaps before, ProcMaps after, long from, long to) {
        TreeSet<Long> cuts = new TreeSet<>(List.of(from, to));
        for (ProcMaps snapshot : List.of(before, after)) {
            for (Region r : snapshot.regions) {
                if (r.start > from && r.start < to) {
                    cuts.add(r.start);
                }
                if (r.end > from && r.end < to) {
                    cuts.add(r.end);
                }
            }
        }
        List<Range> changed = new ArrayList<>();
        Long previous = null;
        for (long cut : cuts) {
            if (previous != null) {
                Region was = before.regionAt(previous);
                Region is = after.regionAt(previous);
                boolean same = (was == null && is == null) || (was != null && was.sameKind(is));
                if (!same) {
                    if (!changed.isEmpty() && changed.getLast().end == previous) {
                        changed.set(changed.size() - 1, new Range(changed.getLast().start, cut));
                    } else {
                        changed.add(new Range(previous, cut));
                    }
                }
            }
            previous = cut;
        }
        return changed;
    }

    /** Regions of at least {@code minSize} bytes with no access rights: reservations. */
    public List<Region> reservationsOfAtLeast(long minSize) {
        return regions.stream().filter(r -> r.perms.startsWith("---") && r.size() >= minSize).toList();
    }

    @Override
    public String toString() {
        return Objects.toString(regions);
    }
}
