package org.alignedmmap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a real process: exit codes and the streams a shell sees. Every failure is one line,
 * {@code aligned-mmap: ...}, on standard error, with the documented exit code and no stack trace.
 */
class CliProcessTest {
    /** Each reader of a child's output on a thread of its own: the common pool may have a single
     *  thread, and two blocking reads queued on it would wait for each other. */
    private static final Executor OWN_THREAD = task -> Thread.ofVirtual().start(task);

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    static Result java(List<String> jvmArgs, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmArgs);
        command.addAll(List.of(args));
        return command(command);
    }

    /** Runs a program to its end with nothing on its standard input, reading both its outputs. */
    static Result command(List<String> command) throws Exception {
        return command(new ProcessBuilder(command));
    }

    static Result command(ProcessBuilder builder) throws Exception {
        Process p = builder.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()), OWN_THREAD);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), OWN_THREAD);
        boolean ended = p.waitFor(120, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor();
        }
        assertThat(ended).as("%s ended", builder.command()).isTrue();
        return new Result(p.exitValue(), out.join(), err.join());
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> classPath() {
        return List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName());
    }

    @Test
    void shouldExitZeroAndPrintTheAnswer() throws Exception {
        Path file = Files.write(dir.resolve("data.bin"), new byte[1 << 20]);
        Result r = java(classPath(), "map", file.toString(), "--align", "2M");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("Address", "asked for 2 MiB");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void shouldExitOneForAMissingFileAndTwoForABadOption() throws Exception {
        Result missing = java(classPath(), "map", dir.resolve("missing.bin").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).startsWith("aligned-mmap: ").contains("no such file or directory");
        assertThat(missing.out()).isEmpty();
        Result bad = java(classPath(), "alloc", "--size", "12Q");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("'12Q' is not a size");
    }

    /** One line of error, no trace, nothing on standard output. */
    static void assertOneLineFailure(Result r, int exit, String... contains) {
        assertThat(r.exit()).as("exit code; stderr: %s", r.err()).isEqualTo(exit);
        assertThat(r.err()).startsWith("aligned-mmap: ").contains(contains).doesNotContain("\tat ",
                "Exception in thread");
        List<String> lines = r.err().lines().toList();
        assertThat(lines).as("stderr: %s", r.err()).hasSize(exit == Main.USAGE ? 2 : 1);
        if (exit == Main.USAGE) {
            assertThat(lines.get(1)).startsWith("Try 'aligned-mmap ").endsWith("--help' for more information.");
        }
        assertThat(r.out()).isEmpty();
    }

    @Test
    void shouldRefuseAnAllocationTheSystemCannotGiveInOneLine() throws Exception {
        Result r = java(classPath(), "alloc", "--size", "100T");
        assertOneLineFailure(r, Main.FAILED, "cannot allocate 100 TiB", "ENOMEM");
        Result verbose = java(classPath(), "alloc", "--size", "100T", "--verbose");
        assertThat(verbose.exit()).isEqualTo(Main.FAILED);
        assertThat(verbose.err()).contains("OutOfMemoryError", "\tat ");
    }

    @Test
    void shouldNameTheHugetlbPoolWhenItIsTooSmallInOneLine() throws Exception {
        Path pool = Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB");
        Assumptions.assumeTrue(Files.isDirectory(pool), "no 2 MiB hugetlb pages on this kernel");
        Assumptions.assumeTrue(Files.readString(pool.resolve("nr_overcommit_hugepages")).trim().equals("0"),
                "surplus hugetlb pages may be overcommitted here: any size could succeed");
        long free = Long.parseLong(Files.readString(pool.resolve("free_hugepages")).trim());
        // One page more than the pool has free: refused whatever the pool's size.
        Result r = java(classPath(), "alloc", "--size", Long.toString((free + 1) * (2L << 20)), "--huge=2M");
        assertOneLineFailure(r, Main.FAILED, "with --huge=2M", pool.resolve("nr_hugepages").toString());
    }

    @Test
    void shouldRefuseAnEmptyAllocation() throws Exception {
        assertOneLineFailure(java(classPath(), "alloc", "--size", "0"), Main.USAGE, "--size must be at least 1 byte");
    }

    @Test
    void shouldPointAFileMappingWithHugetlbPagesToAlloc() throws Exception {
        Path file = Files.write(dir.resolve("data.bin"), new byte[1 << 20]);
        Result r = java(classPath(), "map", file.toString(), "--huge=2M");
        assertOneLineFailure(r, Main.USAGE, "alloc --size SIZE --huge=2M", "map FILE --huge");
        assertThat(r.err()).doesNotContain("anonymous(length)", "hugePages(");
    }

    @Test
    void shouldRefuseToMapADirectoryOrAFifo() throws Exception {
        assertOneLineFailure(java(classPath(), "map", dir.toString()), Main.USAGE, "is a directory");
        Path fifo = fifo();
        assertOneLineFailure(java(classPath(), "map", fifo.toString()), Main.USAGE, "is a FIFO");
    }

    @Test
    void shouldRefuseDirectIoAlignmentOfAFifo() throws Exception {
        Path fifo = fifo();
        assertOneLineFailure(java(classPath(), "dio-align", fifo.toString()), Main.USAGE, fifo + " is a FIFO",
                "O_DIRECT applies to regular files and block devices");
    }

    @Test
    void shouldCheckTheInterpreterBeforeTheBenchmark() throws Exception {
        Path out = dir.resolve("bench");
        Result missing = java(classPath(), "bench", "--quick", "--python", "/nonexistent/python", "--out",
                out.toString());
        assertOneLineFailure(missing, Main.FAILED, "--python /nonexistent/python: no such file or directory");
        Path notPython = Files.writeString(dir.resolve("not-python"), "#!/bin/sh\necho 'not a python' >&2\nexit 3\n");
        Assumptions.assumeTrue(notPython.toFile().setExecutable(true));
        Result wrong = java(classPath(), "bench", "--quick", "--python", notPython.toString(), "--out", out.toString());
        assertOneLineFailure(wrong, Main.USAGE, "is not a Python 3 with mmap", "exit code 3", "not a python");
        assertThat(out).as("nothing of the benchmark ran").doesNotExist();
    }

    @Test
    void shouldCheckTheReportFolderBeforeTheBenchmark() throws Exception {
        Result r = java(classPath(), "bench", "--quick", "--no-python", "--out", "/proc/nope");
        assertOneLineFailure(r, Main.FAILED, "--out /proc/nope: cannot write there");
    }

    @Test
    void shouldSayWhereEachFigureComesFrom() throws Exception {
        Path file = Files.write(dir.resolve("data.bin"), new byte[1 << 20]);
        Result map = java(classPath(), "map", file.toString());
        assertThat(map.exit()).as(map.err()).isZero();
        assertThat(line(map.out(), "Backing")).contains("mapped in", "(/proc/self/smaps");
        assertThat(line(map.out(), "Resident")).contains("in memory (mincore", "page cache");
        Result json = java(classPath(), "map", file.toString(), "--json");
        assertThat(json.out()).contains("\"source\": \"/proc/self/smaps\"", "\"source\": \"mincore\"");
        Result alloc = java(classPath(), "alloc", "--size", "4K");
        assertThat(alloc.exit()).as(alloc.err()).isZero();
        // Small allocations share the C heap's mapping: smaps cannot count them alone.
        assertThat(line(alloc.out(), "Backing")).contains("counted over all", "(/proc/self/smaps");
        assertThat(line(alloc.out(), "Resident")).contains("(mincore)");
    }

    @Test
    void shouldTimeWarmCallsAndTheFirstApart() throws Exception {
        Result text = java(classPath(), "alloc", "--size", "4K", "--align", "4K");
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(line(text.out(), "Time")).contains("per allocate + free, warm (median of", "the first call took");
        Result json = java(classPath(), "alloc", "--size", "4K", "--json");
        assertThat(CliTest.jsonNumber(json.out(), "allocateWarmCalls")).isPositive();
        assertThat(json.out()).contains("\"allocateMicros\": ", "\"firstAllocateMicros\": ");
    }

    @Test
    void shouldPrintTheBuildsVersion() throws Exception {
        Result r = java(classPath(), "--version");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().lines().findFirst()).hasValue("aligned-mmap " + projectVersion());
    }

    /** The version in this module's pom, which the build wrote into version.properties. */
    static String projectVersion() throws IOException {
        Matcher m = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL)
                .matcher(Files.readString(Path.of("pom.xml")));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static String line(String output, String label) {
        return output.lines().filter(l -> l.startsWith(label + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + label + " line in:\n" + output));
    }

    private Path fifo() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        Assumptions.assumeTrue(p.waitFor() == 0, "mkfifo is needed");
        return fifo;
    }

    @Test
    void shouldPrintHelp() throws IOException, Exception {
        Result r = java(classPath(), "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("demo", "map", "alloc", "info", "dio-align", "bench");
    }
}
