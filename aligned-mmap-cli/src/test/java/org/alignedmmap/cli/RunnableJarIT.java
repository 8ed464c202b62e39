package org.alignedmmap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The runnable jar after packaging: {@code java -jar aligned-mmap.jar} works with no JVM flag,
 * because its manifest enables native access (no restricted-method warning).
 */
class RunnableJarIT {
    @Test
    void shouldRunWithoutFlagsOrWarnings() throws Exception {
        Path jar = Path.of("target", "aligned-mmap.jar");
        assertThat(jar).exists();
        CliProcessTest.Result r = CliProcessTest.java(List.of("-jar", jar.toString()), "info");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("Page size");
        assertThat(r.err()).doesNotContain("WARNING");
        assertThat(Files.size(jar)).isGreaterThan(100_000);
    }
}
