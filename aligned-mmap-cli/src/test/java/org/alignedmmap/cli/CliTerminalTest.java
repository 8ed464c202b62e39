package org.alignedmmap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress of long touches: drawn on a terminal (a real pseudo-terminal, made by util-linux's
 * {@code script}), absent when the output is piped or JSON, so that scripts read only the report.
 */
class CliTerminalTest {
    @TempDir
    Path dir;

    /** Runs the CLI on a pseudo-terminal; standard output and standard error both land in {@code out}. */
    private static CliProcessTest.Result onTerminal(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(CliProcessTest.classPath());
        command.addAll(List.of(args));
        String shellCommand = command.stream().map(CliTerminalTest::quote).collect(Collectors.joining(" "));
        try {
            Process probe = new ProcessBuilder("script", "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            Assumptions.assumeTrue(probe.waitFor() == 0, "util-linux script is needed for a pseudo-terminal");
        } catch (java.io.IOException noScript) {
            Assumptions.abort("util-linux script is needed for a pseudo-terminal: " + noScript);
        }
        return CliProcessTest.command(List.of("script", "--quiet", "--return", "--command", shellCommand, "/dev/null"));
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    @Test
    void shouldShowProgressOfATouchOnATerminal() throws Exception {
        CliProcessTest.Result alloc = onTerminal("alloc", "--size", "64M", "--touch");
        assertThat(alloc.exit()).as(alloc.out()).isZero();
        assertThat(alloc.out()).contains("writing every byte: 0 B of 64 MiB (0%)", "\r\033[K", "Allocated");
        Path file = Files.write(dir.resolve("data.bin"), new byte[16 << 20]);
        CliProcessTest.Result map = onTerminal("map", file.toString(), "--touch");
        assertThat(map.exit()).as(map.out()).isZero();
        assertThat(map.out()).contains("reading one byte of every page: 0 B of 16 MiB (0%)", "Backing");
        CliProcessTest.Result populate = onTerminal("map", file.toString(), "--populate");
        assertThat(populate.exit()).as(populate.out()).isZero();
        assertThat(populate.out()).contains("mapping and reading in every page (MAP_POPULATE)...", "Backing");
    }

    @Test
    void shouldStayQuietWithJsonOnATerminal() throws Exception {
        CliProcessTest.Result r = onTerminal("alloc", "--size", "64M", "--touch", "--json");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).doesNotContain("writing every byte:", "\033").contains("\"touchMicros\"");
    }

    @Test
    void shouldStayQuietWhenPiped() throws Exception {
        CliProcessTest.Result r = CliProcessTest.java(CliProcessTest.classPath(), "alloc", "--size", "64M", "--touch");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).doesNotContain("writing every byte:", "\033").contains("writing every byte once");
    }
}
