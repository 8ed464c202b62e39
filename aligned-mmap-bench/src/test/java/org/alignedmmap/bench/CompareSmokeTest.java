package org.alignedmmap.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quick comparison runs end to end and writes its report, charts included. */
class CompareSmokeTest {
    @TempDir
    Path out;

    @Test
    void shouldRunTheQuickComparisonAndWriteItsFiles() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        String markdown = Compare.run(true, out, out.resolve("data"), null, false, "smoke test",
                new PrintStream(console, true, StandardCharsets.UTF_8));
        String progress = console.toString(StandardCharsets.UTF_8);
        assertThat(progress).contains("== Machine limits", "== Mapped file", "== Aligned allocation",
                "== Aligned arena", "== Lucene",
                "report written");
        assertThat(out.resolve("report.md")).exists();
        assertThat(Files.readString(out.resolve("report.md"))).isEqualTo(markdown);
        assertThat(markdown).contains("| Machine |", "### Mapped file", "### Aligned allocation", "### Aligned arena",
                "### Lucene",
                "find 1-byte absent", "KNN search",
                "Arena.allocate");
        // No suite may have failed: a failure becomes a note.
        assertThat(markdown).doesNotContain(" failed: ");
        try (var charts = Files.list(out)) {
            assertThat(charts.filter(p -> p.getFileName().toString().endsWith(".png"))
                    .filter(p -> p.toFile().length() > 1000)).isNotEmpty();
        }
    }
}
