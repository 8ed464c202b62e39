package org.alignedmmap.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code aligned-mmap} command: shows what alignment buys on this machine, and inspects
 * mappings, allocations, huge pages and direct I/O. Without a command it runs {@code demo}.
 *
 * <p>Exit codes: 0 success; 1 the operation failed (missing file, permission denied, the system
 * refused); 2 the command line was wrong (unknown option, bad size, option values that do not
 * fit the file).
 */
@Command(name = "aligned-mmap", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Memory mappings and native memory at any alignment: what it buys on this machine.",
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
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the tool with the given streams, for tests and embedding.
     *
     * @param args the command line
     * @param out where results go
     * @param err where errors go
     * @return the exit code
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Main main = new Main();
        CommandLine commandLine = new CommandLine(main);
        commandLine.setOut(new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        commandLine.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            PrintWriter w = cl.getErr();
            w.println("aligned-mmap: " + describe(e));
            if (parseResult.hasMatchedOption("--verbose") || main.verbose) {
                e.printStackTrace(w);
            } else if (!(e instanceof IllegalArgumentException || e instanceof FileSystemException)) {
                w.println("(run with --verbose for details)");
            }
            w.flush();
            return e instanceof IllegalArgumentException ? USAGE : FAILED;
        });
        commandLine.setParameterExceptionHandler((e, params) -> {
            PrintWriter w = e.getCommandLine().getErr();
            w.println("aligned-mmap: " + e.getMessage());
            w.println("Try 'aligned-mmap " + (e.getCommandLine() == commandLine ? "" : e.getCommandLine().getCommandName() + " ")
                    + "--help' for more information.");
            w.flush();
            return USAGE;
        });
        return commandLine.execute(args);
    }

    /** What a shell user needs to read: the file and the reason, not a class name. */
    static String describe(Throwable e) {
        return switch (e) {
            case NoSuchFileException n -> n.getFile() + ": no such file or directory";
            case AccessDeniedException a -> a.getFile() + ": permission denied";
            case FileSystemException f -> f.getFile() + ": " + (f.getReason() != null ? f.getReason() : f.getMessage());
            default -> e.getMessage() != null ? e.getMessage() : e.toString();
        };
    }

    /** The version from the jar's manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"aligned-mmap " + (version != null ? version : "(development build)"),
                    "JDK " + System.getProperty("java.runtime.version") + ", " + System.getProperty("os.name") + " "
                            + System.getProperty("os.version") + " " + System.getProperty("os.arch")};
        }
    }
}
