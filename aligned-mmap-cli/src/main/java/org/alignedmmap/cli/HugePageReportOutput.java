package org.alignedmmap.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.alignedmmap.HugePageReport;

/** {@code map --huge}: the huge page report as text lines and as JSON (issue 13). */
final class HugePageReportOutput {
    private HugePageReportOutput() {}

    /** The figures on one line, then each obstacle with its evidence and remedy, indented. */
    static void print(PrintWriter out, HugePageReport r) {
        out.printf("%-10s %s of %s eligible in huge pages of %s (%s)%n", "Huge pages", Sizes.format(r.hugePageBytes()),
                Sizes.format(r.eligibleBytes()), Sizes.format(r.hugePageSize()),
                String.format(Locale.ROOT, "%.0f%%", 100 * r.hugePageFraction()));
        if (r.findings().isEmpty()) {
            out.printf("%-10s none found%n", "Obstacles");
        }
        for (HugePageReport.Finding f : r.findings()) {
            out.printf("%-10s %s: %s%n", "Obstacle", f.obstacle(), f.evidence());
            out.printf("%-10s %s%n", "", "Remedy: " + f.obstacle().remedy());
        }
    }

    static Map<String, Object> json(HugePageReport r) {
        Map<String, Object> o = Json.object();
        o.put("mappedBytes", r.mappedBytes());
        o.put("hugePageSize", r.hugePageSize());
        o.put("eligibleBytes", r.eligibleBytes());
        o.put("residentBytes", r.residentBytes());
        o.put("hugePageBytes", r.hugePageBytes());
        List<Object> findings = r.findings().stream().map(f -> {
            Map<String, Object> finding = Json.object();
            finding.put("obstacle", f.obstacle().name());
            finding.put("evidence", f.evidence());
            finding.put("description", f.obstacle().description());
            finding.put("remedy", f.obstacle().remedy());
            return (Object) finding;
        }).toList();
        o.put("findings", findings);
        return o;
    }
}
