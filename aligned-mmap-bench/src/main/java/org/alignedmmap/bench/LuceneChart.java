package org.alignedmmap.bench;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        List<String> names = new ArrayList<>();
        List<Double> ours = new ArrayList<>();
        List<Double> ceiling = new ArrayList<>();
        for (Row row : rows) {
            Double base = row.peers().get(LuceneBench.MMAP);
            if (row.unit().equals("%") || base == null || base.isNaN() || base <= 0) {
                continue;
            }
            double o = ratio(row, row.ours().get(LuceneBench.OURS), base);
            double c = ratio(row, row.peers().get(LuceneBench.TMPFS), base);
            if (Double.isNaN(o) && Double.isNaN(c)) {
                continue;
            }
            String name = row.operation();
            names.add(name.length() <= 40 ? name : name.substring(0, 39) + "…");
            ours.add(Double.isNaN(o) ? 0.0 : o);
            ceiling.add(Double.isNaN(c) ? 0.0 : c);
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
        chart.getStyler().setSeriesColors(new Color[] {new Color(0x2B6CB0), new Color(0xA0AEC0)});
        chart.addSeries(LuceneBench.OURS + " (ext4, as written)", names, ours);
        chart.addSeries(LuceneBench.TMPFS + " (ceiling)", names, ceiling);
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
