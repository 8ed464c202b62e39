package org.alignedmmap.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of the command line, made before any work starts and worded in the tool's own options:
 * a user who typed {@code --align 3K} reads about {@code --align}, not about a Java parameter.
 * A wrong command line is a {@link ParameterException} (exit code 2, with a pointer to
 * {@code --help}); a file the system will not give is a {@link Failure} or an {@link IOException}
 * (exit code 1).
 */
final class Checks {
    /** The reader of the probe's output on a thread of its own, not on the common pool, which
     *  may have a single thread, busy elsewhere. */
    private static final Executor OWN_THREAD = task -> Thread.ofVirtual().start(task);

    /** How long an interpreter may take to print its version: a real one answers in well under a second. */
    private static final long PYTHON_PROBE_SECONDS = 20;

    private Checks() {}

    /**
     * Refuses a wrong command line.
     *
     * @param spec the command
     * @param message what is wrong, in the tool's words
     * @return the exception to throw
     */
    static ParameterException usage(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /**
     * Requires a power of two.
     *
     * @param spec the command
     * @param option the option's name, such as {@code --align}
     * @param value its value
     */
    static void powerOfTwo(CommandSpec spec, String option, long value) {
        if (Long.bitCount(value) != 1) {
            throw usage(spec, option + " must be a power of two (such as 4K, 64K, 2M, 1G), was " + value
                    + (value >= 1024 ? " (" + Sizes.format(value) + ")" : ""));
        }
    }

    /**
     * Requires a multiple of {@code unit}.
     *
     * @param spec the command
     * @param option the option's name
     * @param value its value
     * @param unit what it must be a multiple of, a power of two
     * @param why what {@code unit} is, such as "the allocation granularity"
     */
    static void multipleOf(CommandSpec spec, String option, long value, long unit, String why) {
        if ((value & (unit - 1)) != 0) {
            throw usage(spec, option + " must be a multiple of " + why + " (" + Sizes.format(unit) + "), was " + value
                    + " (" + Sizes.format(value) + ")");
        }
    }

    /**
     * Requires something that exists and can be mapped: a regular file or a device.
     *
     * @param spec the command
     * @param file the path the user gave
     * @return its kind
     * @throws java.nio.file.NoSuchFileException if there is nothing there (exit code 1)
     * @throws IOException if it cannot be inspected
     */
    static FileKind mappable(CommandSpec spec, Path file) throws IOException {
        FileKind kind = FileKind.of(file);
        switch (kind) {
            case REGULAR, BLOCK_DEVICE, CHARACTER_DEVICE -> {
                return kind;
            }
            default -> throw usage(spec, file + " is " + kind.description() + ": only files (and devices) can be "
                    + "mapped");
        }
    }

    /**
     * Makes sure a directory exists (creating it) and takes new files, before any long work
     * that would write there at its end.
     *
     * @param option the option that named it, such as {@code --out}
     * @param dir the directory
     * @throws Failure if it cannot be created or written to (exit code 1)
     */
    static void writableDirectory(String option, Path dir) {
        try {
            Files.createDirectories(dir);
            Files.delete(Files.createTempFile(dir, ".aligned-mmap-probe-", ".tmp"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new Failure(option + " " + dir + ": cannot write there (" + Main.describe(e) + ")", e);
        }
    }

    /**
     * Makes sure {@code python} names a Python 3 with {@code mmap} that runs, so that a typo
     * fails now instead of after the Java half of a benchmark, or silently with another
     * interpreter.
     *
     * @param spec the command
     * @param python a path, or a name looked up on {@code PATH}
     * @return the version it reports, such as {@code 3.13.0}
     * @throws Failure if there is no such file or program (exit code 1)
     */
    static String python(CommandSpec spec, String python) {
        if (python.contains("/")) {
            Path path = Path.of(python);
            if (!Files.exists(path)) {
                throw new Failure("--python " + python + ": no such file or directory", null);
            }
            if (Files.isDirectory(path) || !Files.isExecutable(path)) {
                throw usage(spec, "--python " + python + " is not an executable program");
            }
        }
        List<String> probe = List.of(python, "-c", "import mmap, sys; print(sys.version.split()[0])");
        try {
            Process process = new ProcessBuilder(probe).redirectErrorStream(true).start();
            process.getOutputStream().close();
            // Read on another thread: a program that never ends must not keep this one waiting.
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()),
                    OWN_THREAD);
            if (!process.waitFor(PYTHON_PROBE_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw usage(spec, "--python " + python + " did not answer within " + PYTHON_PROBE_SECONDS + " s");
            }
            String output = answer.join().trim();
            if (process.exitValue() != 0 || !output.matches("3\\.[0-9]+\\.[0-9]+.*")) {
                String said = output.isEmpty() ? "" : ": " + output.lines().reduce((a, b) -> b).orElse("");
                throw usage(spec,
                        "--python " + python + " is not a Python 3 with mmap (exit code " + process.exitValue()
                        + said + ")");
            }
            return output;
        } catch (IOException e) {
            throw new Failure("--python " + python + ": cannot run it (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted while checking --python " + python, e);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
