package org.alignedmmap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a real process: exit codes and the streams a shell sees. */
class CliProcessTest {
    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    static Result java(List<String> jvmArgs, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmArgs);
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        var out = p.getInputStream();
        var err = p.getErrorStream();
        String stdout = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(err.readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        out.close();
        err.close();
        return new Result(p.exitValue(), stdout, stderr);
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

    @Test
    void shouldPrintHelp() throws IOException, Exception {
        Result r = java(classPath(), "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("demo", "map", "alloc", "info", "dio-align", "bench");
    }
}
