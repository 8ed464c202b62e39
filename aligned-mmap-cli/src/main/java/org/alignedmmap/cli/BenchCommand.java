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
            description = "Where the report goes (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--data", paramLabel = "DIR", description = "Where the test files go (default: OUT/data).")
    Path data;

    @Option(names = "--python", paramLabel = "PATH", description = "The Python to compare with (default: 3.13 if found).")
    String python;

    @Option(names = "--no-python", description = "Leave CPython out.")
    boolean noPython;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
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
