package org.alignedmmap.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test classpath in a child JVM, for what could crash a JVM: a crash
 * then fails the test that started the child instead of killing the whole suite.
 */
public final class ChildJvm {
    /** What the child left: its exit code and everything it printed (stdout and stderr). */
    public record Result(int exitCode, String output) {
        public List<String> lines() {
            return output.lines().toList();
        }
    }

    private ChildJvm() {}

    /**
     * Runs {@code main} with {@code --enable-native-access=ALL-UNNAMED}, the given JVM options and
     * arguments, and waits for it to end.
     *
     * @throws AssertionError if the child does not end within {@code timeoutSeconds}
     */
    public static Result run(Class<?> main, List<String> jvmOptions, long timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        return run(List.of(), main, jvmOptions, timeoutSeconds, args);
    }

    /**
     * As {@link #run(Class, List, long, String...)}, with the JVM started through {@code launcher}
     * (for example {@code setpriv} with fewer capabilities).
     */
    public static Result run(List<String> launcher, Class<?> main, List<String> jvmOptions, long timeoutSeconds,
                      String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(javaExecutable(), "--enable-native-access=ALL-UNNAMED", errorFileOption()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return run(command, main, timeoutSeconds);
    }

    /**
     * Runs {@code main} with only the given JVM options (no native access granted), on this
     * JVM's class path without the library's own classes directory, so that the options decide
     * where the library comes from (a jar on the module path, say).
     */
    public static Result runWithoutLibraryClasses(Class<?> main, List<String> jvmOptions, long timeoutSeconds,
                                                  String... args) throws IOException, InterruptedException {
        String classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File
                .pathSeparator))
                .filter(entry -> !Path.of(entry).endsWith(Path.of("target", "classes")))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(javaExecutable(), errorFileOption()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, main.getName()));
        command.addAll(List.of(args));
        return run(command, main, timeoutSeconds);
    }

    /** A crash report goes to the temporary directory, not into the module's working directory. */
    private static String errorFileOption() {
        return "-XX:ErrorFile=" + Path.of(System.getProperty("java.io.tmpdir"), "aligned-mmap-hs_err_%p.log");
    }

    private static Result run(List<String> command, Class<?> main, long timeoutSeconds)
            throws IOException, InterruptedException {
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        child.getOutputStream().close();
        StringBuilder output = new StringBuilder();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (InputStream in = child.getInputStream()) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                synchronized (output) {
                    output.append(text);
                }
            } catch (IOException ignored) {
                // the child died; its exit code tells
            }
        });
        if (!child.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor();
            reader.join(5_000);
            throw new AssertionError("child " + main.getSimpleName() + " still running after " + timeoutSeconds
                    + " s; output so far:\n" + output);
        }
        reader.join();
        synchronized (output) {
            return new Result(child.exitValue(), output.toString());
        }
    }

    public static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
