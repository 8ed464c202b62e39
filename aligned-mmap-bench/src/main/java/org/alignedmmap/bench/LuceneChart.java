package org.alignedmmap.bench;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

/**
 * The Lucene chart: for every timed row, our directory and the tmpfs {@code huge=always} ceiling
 * as times {@code MMapDirectory} (1.0 = the same; above is better, for times too), side by side,
 * so the gap between what we reach on ext4 and what huge pages can give shows at a glance.
 */
final class LuceneChart {
    static final String FILE = "lucene.png";

    private LuceneChart() {}

    /** Writes the chart; returns false (and writes nothing) when no row has MMapDirectory and another side. */
    static boolean write(Path file, List<Row> rows) throws IOException {
        List<String> sides = List.of(LuceneBench.OURS, LuceneBench.OURS_REBUILD, LuceneBench.OURS_WRITTEN,
                LuceneBench.TMPFS);
        List<String> names = new ArrayList<>();
        Map<String, List<Double>> series = new LinkedHashMap<>();
        sides.forEach(side -> series.put(side, new ArrayList<>()));
        for (Row row : rows) {
            Double base = row.peers().get(LuceneBench.MMAP);
            if (row.unit().equals("%") || base == null || base.isNaN() || base <= 0) {
                continue;
            }
            String name = row.operation();
            names.add(name.length() <= 40 ? name : name.substring(0, 39) + "…");
            for (String side : sides) {
                Double value = row.ours().containsKey(side) ? row.ours().get(side) : row.peers().get(side);
                double r = ratio(row, value, base);
                series.get(side).add(Double.isNaN(r) ? 0.0 : r);
            }
        }
        if (names.isEmpty()) {
            return false;
        }
        CategoryChart chart = new CategoryChartBuilder().width(1200).height(700)
                .title("Lucene: times MMapDirectory on the same index (above 1 = better)")
                .xAxisTitle("").yAxisTitle("times MMapDirectory").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setXAxisLabelRotation(30);
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Bar);
        chart.getStyler().setSeriesColors(new Color[] {new Color(0x2B6CB0), new Color(0x2F855A), new Color(0x805AD5),
            new Color(0xA0AEC0)});
        series.forEach((side, values) -> chart.addSeries(side.equals(LuceneBench.TMPFS) ? side + " (ceiling)" : side,
                names, values));
        // XChart 4's saveBitmap(chart, ...) is deprecated; the image it would write is this one.
        ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", file.toFile());
        return true;
    }

    private static double ratio(Row row, Double value, double base) {
        if (value == null || value.isNaN() || value <= 0) {
            return Double.NaN;
        }
        return row.higherIsBetter() ? value / base : base / value;
    }
}
