package org.alignedmmap;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How much of a mapping is in huge pages, and what keeps the rest out of them: the answer of
 * {@link Mmap#hugePageReport()}.
 *
 * <pre>{@code
 * try (Mmap m = Mmap.options().hugePages(HugePages.TRANSPARENT).map(Path.of("weights.bin"))) {
 *     HugePageReport report = m.hugePageReport();
 *     System.out.println(report);                      // figures, then one line per obstacle
 *     if (report.has(HugePageObstacle.SMALL_FOLIOS_CACHED)) {
 *         // map again with rebuildPageCache(true)
 *     }
 * }
 * }</pre>
 *
 * <p>A snapshot, like {@link Backing}: faults of other threads and the kernel's reclaim change
 * the figures at any time. The amounts are the sums over the mapping's VMAs (see {@link
 * Backing#exact()}).
 *
 * @param mappedBytes the mapping's length
 * @param hugePageSize the size of the huge pages that could back it: the hugetlb page size for
 *     hugetlb mappings, else the transparent huge page size; 0 where the kernel has no THP
 * @param eligibleBytes the bytes that whole huge pages could back: the whole blocks of {@code
 *     hugePageSize} at multiples of it inside the mapping (and, for a file, at file offsets that
 *     are multiples of it too); all of it for hugetlb
 * @param residentBytes what the mapping has mapped ({@link Backing#rss()}, plus hugetlb pages)
 * @param hugePageBytes what of it is in huge pages ({@link Backing#hugePageBytes()})
 * @param findings the obstacles found, most fundamental first; empty when everything eligible is
 *     in huge pages (or nothing is in the way of it)
 */
public record HugePageReport(long mappedBytes, long hugePageSize, long eligibleBytes, long residentBytes,
                             long hugePageBytes, List<Finding> findings) {

    /**
     * One obstacle with the evidence found for it.
     *
     * @param obstacle what stands in the way; its {@link HugePageObstacle#description()} and
     *     {@link HugePageObstacle#remedy()} say what it is and what to do
     * @param evidence what was read or measured for this mapping, with the numbers and the files
     *     they came from, and, for an inference, how sure it is
     */
    public record Finding(HugePageObstacle obstacle, String evidence) {
        /**
         * Checks the values.
         *
         * @throws NullPointerException if an argument is null
         */
        public Finding {
            Objects.requireNonNull(obstacle, "obstacle");
            Objects.requireNonNull(evidence, "evidence");
        }
    }

    /**
     * Copies the findings.
     *
     * @throws NullPointerException if {@code findings} is or holds null
     */
    public HugePageReport {
        findings = List.copyOf(findings);
    }

    /**
     * Lists the obstacles found.
     *
     * @return the findings' obstacles, in the same order
     */
    public List<HugePageObstacle> obstacles() {
        return findings.stream().map(Finding::obstacle).toList();
    }

    /**
     * Tells whether an obstacle was found.
     *
     * @param obstacle the obstacle
     * @return true if one of the findings names it
     */
    public boolean has(HugePageObstacle obstacle) {
        return findings.stream().anyMatch(f -> f.obstacle() == obstacle);
    }

    /**
     * Returns the share of the eligible bytes in huge pages.
     *
     * @return {@code hugePageBytes / eligibleBytes}, 0 when nothing is eligible
     */
    public double hugePageFraction() {
        return eligibleBytes == 0 ? 0 : (double) hugePageBytes / eligibleBytes;
    }

    /**
     * Describes the report for people: the figures on one line, then per finding the obstacle,
     * its evidence and its remedy.
     *
     * @return several lines, without a trailing newline
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%d of %d eligible bytes in huge pages of %d (%.1f%%); %d bytes mapped,"
                        + " %d resident", hugePageBytes, eligibleBytes, hugePageSize, 100 * hugePageFraction(),
                                mappedBytes,
                residentBytes));
        if (findings.isEmpty()) {
            s.append("\nno obstacle found");
        }
        for (Finding f : findings) {
            s.append('\n').append(f.obstacle()).append(": ").append(f.evidence())
                    .append("\n  remedy: ").append(f.obstacle().remedy());
        }
        return s.toString();
    }
}
