package org.alignedmmap.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.alignedmmap.bench.Compare;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench}: the side-by-side comparison with the JDK and CPython, as a report. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run the side-by-side comparison (this library vs the JDK and CPython's mmap) and write its "
                + "report (Markdown and PNG charts).")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Small sizes, done in under a minute: a smoke run, not figures to quote.")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/bench",
            description = "Where the report goes, created if need be and checked before the run starts "
                    + "(default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--data", paramLabel = "DIR", description = "Where the test files go (default: OUT/data).")
    Path data;

    @Option(names = "--python", paramLabel = "PATH",
            description = "The Python to compare with, checked before the run starts (default: "
            + "pyenv's 3.13.0, else python3.13, else python3, whichever runs).")
    String python;

    @Option(names = "--no-python", description = "Leave CPython out.")
    boolean noPython;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // Everything the run needs is checked first: the full run takes many minutes, and a
        // mistake found at its end (the report cannot be written) or never (another Python
        // measured in place of the one named) would waste them.
        if (python != null && noPython) {
            throw Checks.usage(spec, "--python and --no-python contradict each other: give one");
        }
        if (python != null) {
            Checks.python(spec, python);
        }
        Checks.writableDirectory("--out", out);
        Checks.writableDirectory(data != null ? "--data" : "--out", data != null ? data : out.resolve("data"));
        java.io.PrintStream console = new java.io.PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true,
                java.nio.charset.StandardCharsets.UTF_8);
        String command = "aligned-mmap bench" + (quick ? " --quick" : "");
        if (!org.alignedmmap.internal.ByteSearch.kernel().startsWith("vector")) {
            console.println("note: searches use the portable kernel; start the JVM with --add-modules "
                    + "jdk.incubator.vector for the vector kernel (as the bench module's own run does)");
        }
        Compare.run(quick, out, data, python, noPython, command, console);
        return 0;
    }

    /** Progress lines go where the command's output goes (tests capture it). */
    private static final class WriterOutputStream extends java.io.OutputStream {
        private final java.io.PrintWriter writer;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        WriterOutputStream(java.io.PrintWriter writer) {
            this.writer = writer;
        }

        @Override
        public void write(int b) {
            line.write(b);
            if (b == '\n') {
                flush();
            }
        }

        @Override
        public void flush() {
            writer.print(line.toString(java.nio.charset.StandardCharsets.UTF_8));
            writer.flush();
            line.reset();
        }
    }
}
