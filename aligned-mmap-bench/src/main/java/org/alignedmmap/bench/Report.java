package org.alignedmmap.bench;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Writes the comparison: {@code report.md} (machine, then one table per section: ours, peers,
 * the advantage over the peer the goal names, the goal and whether it was met) and one PNG chart
 * per section showing the advantages on a log scale.
 */
final class Report {
    private Report() {}

    /**
     * Writes the report files.
     *
     * @return the Markdown written
     */
    static String write(Path dir, List<Row> rows, Map<String, String> machine, String command, String date,
                        List<String> notes) throws IOException {
        Files.createDirectories(dir);
        Map<String, List<Row>> sections = new LinkedHashMap<>();
        for (Row row : rows) {
            sections.computeIfAbsent(row.section(), k -> new ArrayList<>()).add(row);
        }
        StringBuilder md = new StringBuilder();
        md.append("## Side-by-side comparison, ").append(date).append("\n\n");
        md.append("Made by `").append(command).append("`. Every figure in a row comes from the same run on the same ")
                .append("files. *Advantage* is ours / peer for speeds and peer / ours for times and memory: above 1 "
                        + "is ")
                .append("better for this library.\n\n");
        md.append("| Machine | |\n|---|---|\n");
        machine.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        md.append('\n');
        int chartIndex = 0;
        for (Map.Entry<String, List<Row>> section : sections.entrySet()) {
            md.append("### ").append(section.getKey()).append("\n\n");
            boolean flagged = section.getValue().stream().anyMatch(r -> !r.flagged().isEmpty());
            if (flagged) {
                md.append("| Operation | This library, default path | Flagged path (").append(Flavor.FLAGGED.label())
                        .append(") | Peers | Advantage, default (flagged) | Goal | Met |\n")
                        .append("|---|---|---|---|---|---|---|\n");
            } else {
                md.append("| Operation | This library | Peers | Advantage | Goal | Met |\n|---|---|---|---|---|---|\n");
            }
            for (Row row : section.getValue()) {
                md.append("| ").append(row.operation()).append(" (").append(row.unit()).append(") | ")
                        .append(values(row.ours())).append(" | ");
                if (flagged) {
                    md.append(values(row.flagged())).append(" | ");
                }
                md.append(values(row.peers())).append(" | ").append(advantage(row));
                if (flagged && !Double.isNaN(row.flaggedAdvantage()) && !row.goalOnOurs()) {
                    md.append(" (").append(ratio(row.flaggedAdvantage())).append("x)");
                }
                md.append(" | ").append(row.goal() == null ? "" : row.goal().text())
                        .append(" | ").append(met(row.goalMet())).append(" |\n");
            }
            md.append('\n');
            String chart = "chart-" + (++chartIndex) + ".png";
            if (chart(dir.resolve(chart), section.getKey(), section.getValue())) {
                md.append("![").append(section.getKey()).append("](").append(chart).append(")\n\n");
            }
        }
        List<Row> missed = rows.stream().filter(r -> Boolean.FALSE.equals(r.goalMet())).toList();
        md.append("### Goals missed\n\n");
        if (missed.isEmpty()) {
            md.append("None.\n\n");
        } else {
            for (Row row : missed) {
                md.append("- ").append(row.section()).append(": ").append(row.operation()).append(" — ")
                        .append(row.goal().text()).append(", measured ").append(advantage(row)).append('\n');
            }
            md.append('\n');
        }
        if (!notes.isEmpty()) {
            md.append("### Notes\n\n");
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
            md.append('\n');
        }
        Files.writeString(dir.resolve("report.md"), md);
        return md.toString();
    }

    private static String values(Map<String, Double> values) {
        if (values.isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        values.forEach((name, v) -> parts.add(name + ": **" + number(v) + "**"));
        return String.join("<br>", parts);
    }

    private static String advantage(Row row) {
        if (row.goalOnOurs()) {
            return "ours " + number(row.oursBest());
        }
        double a = row.advantage();
        return Double.isNaN(a) ? "" : String.format(Locale.ROOT, "%sx vs %s", ratio(a), row.comparedWith());
    }

    private static String met(Boolean met) {
        return met == null ? "" : met ? "yes" : "**no**";
    }

    static String number(Double v) {
        if (v == null || v.isNaN()) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a == 0) {
            return "0";
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 0.1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String ratio(double a) {
        return a >= 100 ? String.format(Locale.ROOT, "%,.0f", a) : String.format(Locale.ROOT, "%.2f", a);
    }

    /**
     * A bar per row: how many times better than the compared peer, on a log scale where 1 is
     * parity; green where the row's goal is met, red where it is missed, grey without a goal.
     */
    private static boolean chart(Path file, String title, List<Row> rows) throws IOException {
        List<String> names = new ArrayList<>();
        List<Double> met = new ArrayList<>();
        List<Double> missed = new ArrayList<>();
        List<Double> none = new ArrayList<>();
        for (Row row : rows) {
            double a = row.advantage();
            if (Double.isNaN(a) || a <= 0 || row.goalOnOurs()) {
                continue;
            }
            names.add(shorten(row.operation()));
            double bar = Math.log10(a);
            Boolean goal = row.goalMet();
            met.add(Boolean.TRUE.equals(goal) ? bar : 0.0);
            missed.add(Boolean.FALSE.equals(goal) ? bar : 0.0);
            none.add(goal == null ? bar : 0.0);
        }
        if (names.isEmpty()) {
            return false;
        }
        CategoryChart chart = new CategoryChartBuilder().width(1200).height(700).title(title)
                .xAxisTitle("").yAxisTitle("times the peer, log scale (up = better)").build();
        // Bars of log10(advantage) grow up from parity (1x) when better and down when worse;
        // the axis labels turn them back into "x" factors.
        chart.getStyler().setYAxisTickLabelsFormattingFunction(v -> ratio(Math.pow(10, v)) + "x");
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setXAxisLabelRotation(40);
        chart.getStyler().setAxisTickLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle.Bar);
        chart.getStyler().setSeriesColors(new Color[] {new Color(0x2F855A), new Color(0xC53030), new Color(0x718096)});
        chart.addSeries("goal met", names, met);
        chart.addSeries("goal missed", names, missed);
        chart.addSeries("no goal", names, none);
        // XChart 4's saveBitmap(chart, ...) is deprecated; the image it would write is this one.
        javax.imageio.ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", file.toFile());
        return true;
    }

    private static String shorten(String text) {
        return text.length() <= 44 ? text : text.substring(0, 43) + "…";
    }
}
