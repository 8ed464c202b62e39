package org.alignedmmap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.alignedmmap.SystemAlignment;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI in-process: real files, real mappings, output and exit codes as a shell user sees them. */
class CliTest {
    @TempDir
    Path dir;

    /** What one run printed and returned. */
    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static long jsonNumber(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (-?[0-9]+)").matcher(json);
        assertThat(m.find()).as("%s in %s", key, json).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void shouldDescribeTheSystem() {
        Run run = run("info");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("Page size", Sizes.format(SystemAlignment.pageSize()), "Transparent huge pages",
                "Search kernel");
        Run json = run("info", "--json");
        assertThat(json.exit()).isZero();
        assertThat(jsonNumber(json.out(), "pageSize")).isEqualTo(SystemAlignment.pageSize());
        assertThat(json.out().trim()).startsWith("{").endsWith("}");
    }

    @Test
    void shouldMapAFileAtTheAlignmentAskedFor() throws Exception {
        Path file = Files.write(dir.resolve("data.bin"), new byte[3 << 20]);
        Run run = run("map", file.toString(), "--align", "1G", "--length", "12345", "--touch", "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(jsonNumber(run.out(), "address") % (1L << 30)).isZero();
        assertThat(jsonNumber(run.out(), "length")).isEqualTo(12345);
        assertThat(jsonNumber(run.out(), "residentPages")).isEqualTo(jsonNumber(run.out(), "totalPages"));
        Run text = run("map", file.toString(), "--align", "64K");
        assertThat(text.exit()).isZero();
        assertThat(text.out()).contains("asked for 64 KiB", "Backing", "Resident");
        assertThat(Files.readAllBytes(file)).containsOnly(0);
    }

    @Test
    void shouldAllocateAlignedMemory() {
        Run run = run("alloc", "--size", "4M", "--align", "2M", "--touch", "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(jsonNumber(run.out(), "address") % (2L << 20)).isZero();
        assertThat(jsonNumber(run.out(), "size")).isEqualTo(4L << 20);
        assertThat(jsonNumber(run.out(), "rss")).isGreaterThanOrEqualTo(4L << 20);
    }

    @Test
    void shouldReportDirectIoAlignment() {
        Run run = run("dio-align", dir.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("Buffer address alignment", "Source", "For FileChannel");
        Run json = run("dio-align", dir.toString(), "--json");
        assertThat(Long.bitCount(jsonNumber(json.out(), "fileChannel"))).isEqualTo(1);
    }

    @Test
    void shouldRunTheDemoByDefault() throws Exception {
        Run run = run("--", "--size", "4M");
        assertThat(run.exit()).isEqualTo(Main.USAGE);
        Run demo = run("demo", "--size", "4M", "--dir", dir.toString());
        assertThat(demo.exit()).as(demo.err()).isZero();
        assertThat(demo.out()).contains("1. ", "2. ", "3. ", "Aligned.allocate", "JDK Arena.allocate", "Done");
        try (var left = Files.list(dir)) {
            assertThat(left).as("the demo's files are gone").isEmpty();
        }
    }

    @Test
    void shouldRunTheQuickComparison() throws Exception {
        Run run = run("bench", "--quick", "--no-python", "--out", dir.resolve("bench").toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("== Mapped file", "report written");
        assertThat(dir.resolve("bench").resolve("report.md")).exists();
    }

    @Test
    void shouldSayWhatIsMissingWithoutAStackTrace() {
        Run run = run("map", dir.resolve("nope.bin").toString());
        assertThat(run.exit()).isEqualTo(Main.FAILED);
        assertThat(run.err()).contains("nope.bin: no such file or directory").doesNotContain("Exception", "\tat ");
        Run verbose = run("map", dir.resolve("nope.bin").toString(), "--verbose");
        assertThat(verbose.err()).contains("NoSuchFileException", "\tat ");
    }

    @Test
    void shouldRejectBadSizesAsUsageErrors() {
        Run notASize = run("alloc", "--size", "lots");
        assertThat(notASize.exit()).isEqualTo(Main.USAGE);
        assertThat(notASize.err()).contains("'lots' is not a size", "--help");
        Run notAPowerOfTwo = run("alloc", "--size", "1M", "--align", "3K");
        assertThat(notAPowerOfTwo.exit()).isEqualTo(Main.USAGE);
        assertThat(notAPowerOfTwo.err()).contains("align must be a power of two", "3072");
        Run unknown = run("map", "data.bin", "--frobnicate");
        assertThat(unknown.exit()).isEqualTo(Main.USAGE);
        assertThat(unknown.err()).contains("Unknown option");
    }

    @Test
    void shouldRejectAnOffsetPastTheEnd() throws Exception {
        Path file = Files.write(dir.resolve("small.bin"), new byte[100]);
        Run run = run("map", file.toString(), "--offset", Long.toString(SystemAlignment.pageSize()));
        assertThat(run.exit()).isEqualTo(Main.USAGE);
        assertThat(run.err()).contains("offset " + SystemAlignment.pageSize(), "past the end");
    }

    @Test
    void shouldReportPermissionDenied() throws Exception {
        Path file = Files.write(dir.resolve("locked.bin"), new byte[100]);
        Assumptions.assumeTrue(chattr("+i", file), "chattr +i needs ext4 and root");
        try {
            Run run = run("map", file.toString(), "--access", "write");
            assertThat(run.exit()).isEqualTo(Main.FAILED);
            assertThat(run.err()).contains("locked.bin: permission denied");
        } finally {
            chattr("-i", file);
        }
    }

    private static boolean chattr(String change, Path path) throws Exception {
        try {
            Process p = new ProcessBuilder("chattr", change, path.toString()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            try (var in = p.getInputStream()) {
                in.readAllBytes();
            }
            return p.waitFor() == 0;
        } catch (java.io.IOException noChattr) {
            return false;
        }
    }

    @Test
    void shouldParseSizesAsPeopleWriteThem() {
        assertThat(Sizes.parse("4096")).isEqualTo(4096);
        assertThat(Sizes.parse("4K")).isEqualTo(4096);
        assertThat(Sizes.parse("64KiB")).isEqualTo(65536);
        assertThat(Sizes.parse("2m")).isEqualTo(2L << 20);
        assertThat(Sizes.parse("1G")).isEqualTo(1L << 30);
        assertThat(Sizes.parse("1.5G")).isEqualTo(3L << 29);
        assertThat(Sizes.parse("2 MB")).isEqualTo(2L << 20);
        assertThat(Sizes.format(2L << 20)).isEqualTo("2 MiB");
        assertThat(Sizes.format(1536)).isEqualTo("1.5 KiB");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Sizes.parse("1.5"))
                .hasMessageContaining("whole number");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Sizes.parse("9E"))
                .hasMessageContaining("not a size");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Sizes.parse("9000P"))
                .hasMessageContaining("too large");
    }
}
