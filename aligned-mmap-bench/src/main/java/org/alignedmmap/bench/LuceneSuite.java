package org.alignedmmap.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lucene on our directory against Lucene's {@code MMapDirectory} (issue 14): KNN search on an
 * index whose {@code .vec} file is over 1 GiB, term, boolean and doc-value-sorted queries on a
 * text index, open + close of an index of many segments, and the share of each file in huge
 * pages; {@code MMapDirectory} on a tmpfs copy mounted {@code huge=always} shows the ceiling.
 *
 * <p>The measurements run in a child JVM ({@link LuceneBench}) started with Lucene's recommended
 * {@code --add-modules jdk.incubator.vector}, {@link #CHILD_GC} and a fixed heap, the same for
 * every side, so that the parent's flags and heap (the other suites' files) do not weigh on them.
 * The indexes are built once under {@code <data dir>/lucene/} ({@link LuceneIndexes}).
 */
final class LuceneSuite {
    static final String SECTION = "Lucene";
    /** Lucene's heap needs are small (the index lives in mapped files); one GC for every side. */
    static final List<String> CHILD_GC = List.of("-XX:+UseParallelGC", "-Xms1g", "-Xmx1g");
    /** Leaves the suite out (Compare's {@code --no-lucene}). */
    static volatile boolean enabled = true;

    private static final char ENTRY = '\u001e';
    private static final char PAIR = '\u001f';

    private final Settings settings;
    private final Progress progress;
    private final List<String> notes;

    LuceneSuite(Settings settings, Progress progress, List<String> notes) {
        this.settings = settings;
        this.progress = progress;
        this.notes = notes;
    }

    List<Row> run() throws Exception {
        progress.section(SECTION);
        if (!enabled) {
            notes.add("Lucene suite left out (--no-lucene).");
            return List.of();
        }
        Files.createDirectories(settings.outDir());
        Path result = Files.createTempFile(settings.outDir(), "lucene-", ".tsv");
        Path mount = Path.of(System.getProperty("java.io.tmpdir"),
                "aligned-mmap-lucene-" + ProcessHandle.current().pid());
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
                "java").toString()));
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                "-Djava.awt.headless=true"));
        command.addAll(CHILD_GC);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LuceneBench.class.getName(),
                "--data", settings.dataDir().toAbsolutePath().toString(), "--result", result.toString(),
                "--tmpfs", mount.toString()));
        if (settings.quick()) {
            command.add("--quick");
        }
        Process child = null;
        try {
            child = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (!line.isBlank() && !line.startsWith("WARNING: Using incubator modules")) {
                        progress.step("  lucene | " + line.strip());
                    }
                }
            }
            int exit = child.waitFor();
            if (exit != 0) {
                throw new IOException("the Lucene child JVM exited with " + exit + " (its output is above)");
            }
            List<Row> rows = parse(Files.readAllLines(result), notes);
            if (LuceneChart.write(settings.outDir().resolve(LuceneChart.FILE), rows)) {
                notes.add("Lucene, ours and the tmpfs huge=always ceiling as times MMapDirectory: ![Lucene]("
                        + LuceneChart.FILE + ")");
            }
            return rows;
        } finally {
            Files.deleteIfExists(result);
            // A child killed half-way must not leave its tmpfs (and the copies' memory) behind,
            // nor its fresh copies of the indexes.
            TmpfsCopy.unmountIfMounted(mount);
            Files.deleteIfExists(mount);
            if (child != null) {
                LuceneIndexes.delete(LuceneBench.freshFolder(settings.dataDir(), child.pid()));
            }
        }
    }

    /** One row as a line of the result file: tab-separated fields, maps as name/value pairs. */
    static String format(Row row) {
        Row.Goal goal = row.goal();
        return String.join("\t", "row", row.operation(), row.unit(), Boolean.toString(row.higherIsBetter()),
                map(row.ours()), map(row.peers()), goal == null ? "" : goal.against() == null ? "" : goal.against(),
                goal == null ? "" : Double.toString(goal.minRatio()), goal == null ? "" : goal.text());
    }

    /** Reads the result file's rows (returned) and notes (added to {@code notes}). */
    static List<Row> parse(List<String> lines, List<String> notes) {
        List<Row> rows = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split("\t", -1);
            if (f[0].equals("note")) {
                notes.add(f[1]);
            } else if (f[0].equals("row")) {
                Row.Goal goal = f[8].isEmpty() ? null
                        : Row.Goal.ratio(f[6].isEmpty() ? null : f[6], Double.parseDouble(f[7]), f[8]);
                rows.add(new Row(SECTION, f[1], f[2], Boolean.parseBoolean(f[3]), unmap(f[4]), unmap(f[5]), goal));
            }
        }
        return rows;
    }

    private static String map(Map<String, Double> values) {
        StringBuilder text = new StringBuilder();
        values.forEach((name, v) -> {
            if (!text.isEmpty()) {
                text.append(ENTRY);
            }
            text.append(name).append(PAIR).append(String.format(Locale.ROOT, "%s", v));
        });
        return text.toString();
    }

    private static Map<String, Double> unmap(String text) {
        Map<String, Double> values = new LinkedHashMap<>();
        if (!text.isEmpty()) {
            for (String entry : text.split(String.valueOf(ENTRY))) {
                int at = entry.indexOf(PAIR);
                values.put(entry.substring(0, at), Double.parseDouble(entry.substring(at + 1)));
            }
        }
        return values;
    }
}
