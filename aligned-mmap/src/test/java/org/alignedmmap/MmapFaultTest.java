package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A file truncated under a live mapping: every operation that touches the lost pages must throw
 * something the caller can catch, and the JVM must live on. Run in a child JVM so that a crash
 * fails this test instead of killing the suite; once with the vector search kernel, once with
 * the portable one.
 */
class MmapFaultTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "vector kernel={0}")
    @ValueSource(booleans = {true, false})
    void shouldSurviveTruncationUnderEveryOperation(boolean vector) throws Exception {
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "--enable-native-access=ALL-UNNAMED"));
        if (vector) {
            command.add("--add-modules=jdk.incubator.vector");
        } else {
            command.add("-Dorg.alignedmmap.vector=false");
        }
        command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"),
                TruncatedFileChild.class.getName(), dir.resolve("victim.bin").toString()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        child.getOutputStream().close();
        String output;
        try (var in = child.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("child exit code; output:%n%s", output).isZero();
        assertThat(output).contains("ALIVE");
        List<String> results = output.lines().filter(l -> l.contains(": threw ") || l.endsWith(": returned")).toList();
        assertThat(results).hasSize(17);
        assertThat(results).as("every operation on lost pages throws InternalError")
                .allMatch(line -> line.endsWith("threw java.lang.InternalError"), "ends with InternalError");
    }

    static String javaExecutable() throws IOException {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
