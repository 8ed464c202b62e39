package org.alignedmmap.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code aligned-mmap} command: shows what alignment buys on this machine, and inspects
 * mappings, allocations, huge pages and direct I/O. Without a command it runs {@code demo}.
 *
 * <p>Every failure is one line on standard error, {@code aligned-mmap: <what went wrong>}, and
 * one of these exit codes; {@code --verbose} adds the stack trace.
 *
 * <ul>
 *   <li>0: done;
 *   <li>1 ({@link #FAILED}): the operation failed: a missing file, permission denied, the
 *       system refused (no memory, an empty hugetlb pool, a feature this machine lacks);
 *   <li>2 ({@link #USAGE}): the command line was wrong: an unknown option, a bad size, options
 *       that do not fit each other or the file, a path of the wrong kind.
 * </ul>
 */
@Command(name = "aligned-mmap", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Memory mappings and native memory at any alignment: what it buys on this machine.",
        footer = {"", "Exit codes: 0 done, 1 the operation failed (missing file, permission denied, the system "
                + "refused), 2 the command line was wrong."},
        subcommands = {DemoCommand.class, MapCommand.class, AllocCommand.class, InfoCommand.class,
                DioAlignCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    /** The operation failed. */
    static final int FAILED = 1;
    /** The command line was wrong. */
    static final int USAGE = 2;

    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Whether standard output and standard error are both a terminal: progress is shown then. */
    private final boolean terminal;

    private Main(boolean terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        return spec.commandLine().execute("demo");
    }

    /**
     * Runs the tool and exits with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, Terminal.isTerminal(1) && Terminal.isTerminal(2)));
    }

    /**
     * Runs the tool with the given streams, not on a terminal, for tests.
     *
     * @param args the command line
     * @param out where results go
     * @param err where errors go
     * @return the exit code
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, false);
    }

    /**
     * Runs the tool with the given streams.
     *
     * @param args the command line
     * @param out where results go
     * @param err where errors and progress go
     * @param terminal whether both streams go to a terminal, so that progress may be shown
     * @return the exit code
     */
    static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        Main main = new Main(terminal);
        CommandLine commandLine = new CommandLine(main);
        commandLine.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        commandLine.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        // picocli hands only Exceptions to the handler below; an Error (the OutOfMemoryError of a
        // refused allocation, the InternalError of a fault on a truncated file) would reach the
        // user as an uncaught stack trace.
        commandLine.setExecutionStrategy(parseResult -> {
            try {
                return new CommandLine.RunLast().execute(parseResult);
            } catch (Error e) {
                List<CommandLine> chain = parseResult.asCommandLineList();
                throw new CommandLine.ExecutionException(chain.getLast(), String.valueOf(e.getMessage()), e);
            }
        });
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            Throwable failure = e instanceof CommandLine.ExecutionException && e.getCause() != null ? e.getCause() : e;
            PrintWriter w = cl.getErr();
            w.println("aligned-mmap: " + describe(failure));
            if (parseResult.hasMatchedOption("--verbose") || main.verbose) {
                failure.printStackTrace(w);
            } else if (!isExpected(failure)) {
                w.println("(run with --verbose for details)");
            }
            w.flush();
            return failure instanceof IllegalArgumentException ? USAGE : FAILED;
        });
        commandLine.setParameterExceptionHandler((e, params) -> {
            PrintWriter w = e.getCommandLine().getErr();
            w.println("aligned-mmap: " + e.getMessage());
            w.println("Try 'aligned-mmap " + (e.getCommandLine() == commandLine ? ""
                    : e.getCommandLine().getCommandName() + " ")
                    + "--help' for more information.");
            w.flush();
            return USAGE;
        });
        return commandLine.execute(args);
    }

    /**
     * Tells a command whether progress may be shown: on a terminal, never into a pipe or a file.
     *
     * @param spec the command's spec
     * @return true when standard output and standard error both go to a terminal
     */
    static boolean onTerminal(CommandLine.Model.CommandSpec spec) {
        return spec.root().userObject() instanceof Main main && main.terminal;
    }

    /** Failures whose message says it all: no hint about --verbose. */
    private static boolean isExpected(Throwable e) {
        return e instanceof Failure || e instanceof IllegalArgumentException || e instanceof IOException
                || e instanceof UncheckedIOException || e instanceof UnsupportedOperationException
                || e instanceof OutOfMemoryError;
    }

    /** What a shell user needs to read: the file and the reason, not a class name. */
    static String describe(Throwable e) {
        return switch (e) {
            case NoSuchFileException n -> n.getFile() + ": no such file or directory";
            case AccessDeniedException a -> a.getFile() + ": permission denied";
            case FileSystemException f -> f.getFile() + ": " + (f.getReason() != null ? f.getReason() : f.getMessage());
            case UncheckedIOException u when u.getCause() != null -> describe(u.getCause());
            case OutOfMemoryError o -> "out of memory: " + o.getMessage();
            default -> e.getMessage() != null ? e.getMessage() : e.toString();
        };
    }

    /** The version the build wrote into {@code version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        /** Written by the build (resource filtering); read from the class path like any resource. */
        private static final String RESOURCE = "version.properties";

        @Override
        public String[] getVersion() throws IOException {
            return new String[] {"aligned-mmap " + version(),
                    "JDK " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.vendor")
                            + "), " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                            + System.getProperty("os.arch")};
        }

        /**
         * Returns this build's version.
         *
         * @return the project version, such as {@code 0.1.0-SNAPSHOT}
         * @throws IOException if the build left no version behind (a broken build)
         */
        static String version() throws IOException {
            try (InputStream in = Main.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IOException(RESOURCE + " is missing: this build of aligned-mmap is incomplete");
                }
                Properties properties = new Properties();
                properties.load(in);
                return properties.getProperty("version");
            }
        }
    }
}
