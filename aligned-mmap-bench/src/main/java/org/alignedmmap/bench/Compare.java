package org.alignedmmap.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The side-by-side comparison: this library and its peers (the JDK's own ways, CPython's
 * {@code mmap}) on the same files in one run, written to {@code report.md} and PNG charts.
 *
 * <pre>
 * Compare [--quick] [--out DIR] [--data DIR] [--python PATH | --no-python] [--no-lucene]
 * </pre>
 *
 * {@code --quick} shrinks every size so the run takes under a minute (a smoke run, not figures
 * to quote).
 *
 * <p>Suites whose figures depend on the JVM's flags (the mapped-file suite: its search kernels
 * use the vector module when present, and its mappings may be confined) run their library side
 * in child JVMs, once per {@link Flavor}: the report's headline column is the default path, the
 * flagged path stands beside it. The other suites run in this JVM, which should itself be started
 * as a user would start it (see the {@code compare} execution in the module's pom).
 */
public final class Compare {
    private Compare() {}

    /**
     * Runs the comparison from the command line.
     *
     * @param args see the class comment
     * @throws Exception if a suite cannot run at all
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of("target", "bench");
        Path data = null;
        boolean quick = false;
        String python = null;
        boolean noPython = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--data" -> data = Path.of(args[++i]);
                case "--python" -> python = args[++i];
                case "--no-python" -> noPython = true;
                case "--no-lucene" -> LuceneSuite.enabled = false;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: Compare [--quick] [--out DIR] [--data DIR] [--python PATH | --no-python]"
                        + " [--no-lucene]");
            }
        }
        String command = "Compare " + String.join(" ", args);
        run(quick, out, data, python, noPython, command, System.out);
    }

    /**
     * Runs the comparison.
     *
     * @param quick the quick, small run
     * @param out where the report goes
     * @param data where the test files go (default: {@code out/data})
     * @param python the Python to use, or null to look for one
     * @param noPython leave CPython out
     * @param command the command line, for the report
     * @param console where progress lines go
     * @return the Markdown report
     * @throws Exception if the report cannot be written
     */
    public static String run(boolean quick, Path out, Path data, String python, boolean noPython, String command,
                             PrintStream console) throws Exception {
        Path dataDir = data != null ? data : out.resolve("data");
        Settings settings = quick ? Settings.quick(out, dataDir) : Settings.full(out, dataDir);
        Progress progress = new Progress(console);
        Timer.warmupMillis = quick ? 150 : 1_000;
        List<String> notes = new ArrayList<>();
        if (quick) {
            notes.add("Quick run: small sizes, best of " + settings.runs()
                    + "; for figures to quote run without --quick.");
        }
        Optional<PythonPeer> peer = noPython ? Optional.empty() : PythonPeer.find(python);
        String pythonText = peer.map(PythonPeer::describe).orElse(noPython ? "left out (--no-python)" : "none found");
        if (peer.isEmpty()) {
            notes.add("No CPython peer ran: " + pythonText + ".");
        }
        List<Row> rows = new ArrayList<>();
        LimitsSuite limits = new LimitsSuite(settings, progress);
        progress.section(LimitsSuite.SECTION);
        rows.addAll(guard(notes, progress, LimitsSuite.SECTION, limits::run));
        progress.section(MappingSuite.SECTION);
        // In child JVMs: the default path as a user runs it, the flagged path beside it.
        List<Row> mapping = guard(notes, progress, MappingSuite.SECTION,
                () -> MappingSuite.inChildJvms(settings, progress, peer.orElse(null), notes));
        rows.addAll(mapping);
        mapping.stream().filter(r -> r.operation().startsWith("sequential read")).findFirst().ifPresent(read ->
                rows.add(new Row(read.section(), "sequential read against the machine's copy limit", "GB/s", true,
                        read.ours(), Map.of(LimitsSuite.COPY_LIMIT, limits.copyLimit()),
                        Row.Goal.ratio(LimitsSuite.COPY_LIMIT, 0.9, ">= 0.9x the memory copy limit"))));
        progress.section(HugePageSuite.SECTION);
        rows.addAll(guard(notes, progress, HugePageSuite.SECTION, () -> new HugePageSuite(settings, progress).run()));
        progress.section(FileHugePageSuite.SECTION);
        rows.addAll(guard(notes, progress, FileHugePageSuite.SECTION,
                () -> new FileHugePageSuite(settings, progress).run()));
        progress.section(AllocationSuite.SECTION);
        rows.addAll(guard(notes, progress, AllocationSuite.SECTION, () -> new AllocationSuite(settings,
                progress).run()));
        rows.addAll(guard(notes, progress, LuceneSuite.SECTION, () -> new LuceneSuite(settings, progress,
                notes).run()));

        Map<String, String> machine = Machine.describe(dataDir, pythonText);
        String markdown = Report.write(out, rows, machine, command, LocalDate.now().toString(), notes);
        progress.section("report written to " + out.resolve("report.md").toAbsolutePath());
        long missed = rows.stream().filter(r -> Boolean.FALSE.equals(r.goalMet())).count();
        long met = rows.stream().filter(r -> Boolean.TRUE.equals(r.goalMet())).count();
        progress.step(met + " goals met, " + missed + " missed, " + rows.size() + " rows");
        return markdown;
    }

    private interface Suite {
        List<Row> run() throws Exception;
    }

    /** One failing suite must not lose the others' figures: it becomes a note in the report. */
    private static List<Row> guard(List<String> notes, Progress progress, String name, Suite suite) {
        try {
            return suite.run();
        } catch (Exception | OutOfMemoryError e) {
            String note = name + " failed: " + e;
            progress.note(note);
            notes.add(note);
            return List.of();
        }
    }

    /** Sizes as people write them: 64 B, 4 KiB, 2 MiB, 1 GiB. */
    static String size(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1 && (value % 1024 == 0 || value >= 1024 * 10)) {
            value /= 1024;
            unit++;
        }
        return (value == Math.rint(value) ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.1f", value))
                + " " + units[unit];
    }
}
