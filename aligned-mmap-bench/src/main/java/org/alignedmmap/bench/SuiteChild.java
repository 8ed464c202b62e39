package org.alignedmmap.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the library's side of a suite in a JVM started for one {@link Flavor}, so that the default
 * path is measured as a user runs it (no module or option the parent JVM happens to have) and the
 * flagged path beside it, on the same files, in the same run. The child prints its progress, which
 * the parent forwards, and writes its rows to a file the parent reads back ({@link RowCodec}).
 *
 * <pre>SuiteChild SUITE FLAVOR ROWS_FILE OUT_DIR DATA_DIR WARMUP_MS quick|full PYTHON|-</pre>
 */
public final class SuiteChild {
    /** Long enough for the full mapping suite on a loaded machine, CPython's runs included. */
    private static final long TIMEOUT_MINUTES = 120;

    private SuiteChild() {}

    /**
     * The child's entry point.
     *
     * @param args see the class comment
     * @throws Exception if the suite fails: the parent then reports the failure as a note
     */
    public static void main(String[] args) throws Exception {
        String suite = args[0];
        Flavor flavor = Flavor.of(args[1]);
        Path rowsFile = Path.of(args[2]);
        Path out = Path.of(args[3]);
        Path data = Path.of(args[4]);
        Timer.warmupMillis = Long.parseLong(args[5]);
        Settings settings = args[6].equals("quick") ? Settings.quick(out, data) : Settings.full(out, data);
        PythonPeer python = args[7].equals("-") ? null : PythonPeer.find(args[7]).orElse(null);
        Progress progress = new Progress(System.out);
        List<Row> rows;
        List<String> notes;
        switch (suite) {
            case MappingSuite.SECTION -> {
                MappingSuite mapping = new MappingSuite(settings, progress, python, flavor);
                rows = mapping.run();
                notes = mapping.notes();
            }
            default -> throw new IllegalArgumentException("no suite runs in a child under the name " + suite);
        }
        List<String> lines = new ArrayList<>();
        rows.forEach(r -> lines.add(RowCodec.encode(r)));
        notes.forEach(n -> lines.add(RowCodec.encodeNote(n)));
        Files.write(rowsFile, lines, StandardCharsets.UTF_8);
        System.out.flush();
    }

    /**
     * Runs {@code suite} in a child JVM of the given flavor, on this JVM's class path.
     *
     * @param suite the suite's name ({@link MappingSuite#SECTION})
     * @param flavor which JVM flags and options
     * @param settings the sizes; its directories are the child's too
     * @param python CPython for the peer figures, or null to measure none
     * @param progress where the child's progress lines go
     * @param rows receives the child's rows
     * @param notes receives the child's notes
     * @throws IOException if the child cannot start, fails, or writes no rows
     * @throws InterruptedException if interrupted while waiting
     */
    static void run(String suite, Flavor flavor, Settings settings, PythonPeer python, Progress progress,
                    List<Row> rows, List<String> notes) throws IOException, InterruptedException {
        Files.createDirectories(settings.outDir());
        Path rowsFile = Files.createTempFile(settings.outDir(), "rows-" + flavor.id() + "-", ".txt");
        try {
            String java = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            List<String> command = new ArrayList<>();
            command.add(java);
            command.addAll(flavor.jvmFlags());
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), SuiteChild.class.getName(), suite,
                    flavor.id(), rowsFile.toString(), settings.outDir().toString(), settings.dataDir().toString(),
                    String.valueOf(Timer.warmupMillis), settings.quick() ? "quick" : "full",
                    python == null ? "-" : python.executable()));
            Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            child.getOutputStream().close();
            List<String> tail = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    // The incubator module announces itself on every start: not news.
                    if (!line.startsWith("WARNING: Using incubator modules")) {
                        progress.child(flavor.id(), line);
                    }
                    tail.add(line);
                    if (tail.size() > 20) {
                        tail.remove(0);
                    }
                }
            }
            if (!child.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                child.destroyForcibly();
                throw new IOException("the " + flavor.id() + " child of " + suite + " did not finish");
            }
            if (child.exitValue() != 0) {
                throw new IOException("the " + flavor.id() + " child of " + suite + " exited with "
                        + child.exitValue() + ": " + String.join(" / ", tail));
            }
            RowCodec.decode(Files.readAllLines(rowsFile, StandardCharsets.UTF_8), rows, notes);
        } finally {
            Files.deleteIfExists(rowsFile);
        }
    }
}
