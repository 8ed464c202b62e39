package org.alignedmmap.cli;

import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.Map;
import org.alignedmmap.Backing;
import org.alignedmmap.Residency;

/** The words and JSON shared by the reporting commands. */
final class Describe {
    private Describe() {}

    /** {@code 0x7f0000000000 (aligned to 1 GiB)}. */
    static String address(long address) {
        return "0x" + Long.toHexString(address) + " (aligned to " + Sizes.format(Sizes.naturalAlignment(address)) + ")";
    }

    /** One line on what backs the memory. */
    static String backing(Backing b) {
        return backing(b, "resident");
    }

    /**
     * One line on what backs the memory, its amount followed by {@code word}. The amount counts
     * hugetlb pages too, which smaps leaves out of {@code Rss}.
     */
    private static String backing(Backing b, String word) {
        StringBuilder s = new StringBuilder();
        s.append(Sizes.format(b.rss() + b.sharedHugetlb() + b.privateHugetlb())).append(' ').append(word);
        long huge = b.hugePageBytes();
        if (huge > 0) {
            s.append(", ").append(Sizes.format(huge)).append(" of it in huge pages (");
            s.append(String.format(Locale.ROOT, "%.0f%% of the range", 100.0 * b.hugePageFraction())).append(')');
        } else {
            s.append(", in ").append(Sizes.format(b.kernelPageSize())).append(" pages");
        }
        if (b.hugePageAdvised()) {
            s.append(", MADV_HUGEPAGE");
        }
        if (b.locked() > 0) {
            s.append(", ").append(Sizes.format(b.locked())).append(" locked");
        }
        return s.toString();
    }

    /** {@code 256 of 256 pages (100%)}. */
    static String residency(Residency r) {
        return r.residentPages() + " of " + r.totalPages() + " pages of " + Sizes.format(r.pageSize())
                + String.format(Locale.ROOT, " (%.0f%%)", 100.0 * r.fraction());
    }

    /** Where {@link Backing} comes from, said next to its figures. */
    static final String BACKING_SOURCE = "/proc/self/smaps";
    /** Where {@link Residency} comes from, said next to its figures. */
    static final String RESIDENCY_SOURCE = "mincore";

    /**
     * The backing line of a report, with its source: smaps counts the pages this process has
     * mapped in, per mapping (VMA), so a range that shares its VMA with other memory (a small
     * allocation inside the C heap) gets the whole VMA's counters, and says so.
     */
    static String backingLine(Backing b) {
        String line = backing(b, "mapped in");
        if (!b.exact()) {
            line += ", counted over all " + Sizes.format(b.vmaSize()) + " of the mappings that hold it, which it "
                    + "shares with other memory";
        }
        return line + " (" + BACKING_SOURCE + ": pages this process has mapped in)";
    }

    /**
     * The residency line of a report, with its source: mincore tells which pages are in memory,
     * whether or not this process has mapped them in yet. For a file mapping that is the page
     * cache, which can hold every page of a file that no one has touched through this mapping.
     */
    static String residencyLine(Residency r, boolean file) {
        return residency(r) + " in memory (" + RESIDENCY_SOURCE + (file
                ? ": pages in the page cache, whether this process has mapped them in or not)" : ")");
    }

    static Map<String, Object> backingJson(Backing b) {
        Map<String, Object> o = Json.object();
        o.put("source", BACKING_SOURCE);
        o.put("size", b.size());
        o.put("vmaSize", b.vmaSize());
        o.put("rss", b.rss());
        o.put("anonymous", b.anonymous());
        o.put("anonHugePages", b.anonHugePages());
        o.put("filePmdMapped", b.filePmdMapped());
        o.put("shmemPmdMapped", b.shmemPmdMapped());
        o.put("sharedHugetlb", b.sharedHugetlb());
        o.put("privateHugetlb", b.privateHugetlb());
        o.put("swap", b.swap());
        o.put("locked", b.locked());
        o.put("kernelPageSize", b.kernelPageSize());
        o.put("hugePageAdvised", b.hugePageAdvised());
        o.put("exact", b.exact());
        return o;
    }

    static Map<String, Object> residencyJson(Residency r) {
        Map<String, Object> o = Json.object();
        o.put("source", RESIDENCY_SOURCE);
        o.put("residentPages", r.residentPages());
        o.put("totalPages", r.totalPages());
        o.put("pageSize", r.pageSize());
        return o;
    }

    /** Reads one byte per page, so that every page is faulted in (file pages read from the cache). */
    static long touchRead(MemorySegment segment, long step) {
        long sum = 0;
        for (long at = 0; at < segment.byteSize(); at += step) {
            sum += segment.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at);
        }
        return sum;
    }
}
