package org.alignedmmap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.alignedmmap.HugePages;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code map --huge} prints the huge page report; {@code --rebuild-page-cache} changes what it says. */
class MapHugePageReportTest {
    @TempDir
    Path dir;

    @Test
    void shouldPrintTheReportAndRebuildThePageCache() throws Exception {
        if (!HugePages.TRANSPARENT.isAvailable()) {
            System.out.println("SKIPPED MapHugePageReportTest: "
                    + HugePages.TRANSPARENT.unavailableReason().orElse(""));
            Assumptions.abort("no transparent huge pages");
        }
        long huge = HugePages.TRANSPARENT.pageSize();
        Path file = dir.resolve("small-writes.bin");
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long at = 0; at < 8 * huge; at += 8192) {
                out.write(ByteBuffer.allocate(8192), at); // 8 KiB writes: small folios in the cache
            }
        }
        CliTest.Run before = CliTest.run("map", file.toString(), "--huge", "--touch");
        assertThat(before.exit()).as(before.err()).isZero();
        assertThat(before.out()).contains("Huge pages", "eligible", "Obstacle", "Remedy:");

        CliTest.Run rebuilt = CliTest.run("map", file.toString(), "--huge", "--rebuild-page-cache", "--touch",
                "--json");
        assertThat(rebuilt.exit()).as(rebuilt.err()).isZero();
        assertThat(CliTest.jsonNumber(rebuilt.out(), "eligibleBytes")).isEqualTo(8 * huge);
        assertThat(rebuilt.out()).contains("\"hugePageReport\"", "\"findings\"");
        if (before.out().contains("SMALL_FOLIOS_CACHED")) {
            // This machine caches files in huge folios: the rebuild removes the obstacle.
            assertThat(CliTest.jsonNumber(rebuilt.out(), "hugePageBytes")).isGreaterThanOrEqualTo(8 * huge / 100 * 95);
            assertThat(rebuilt.out()).doesNotContain("SMALL_FOLIOS_CACHED");
        }

        CliTest.Run wrong = CliTest.run("map", file.toString(), "--rebuild-page-cache");
        assertThat(wrong.exit()).as("rebuild without --huge is a usage error").isEqualTo(2);
        assertThat(wrong.err()).contains("rebuildPageCache(true) needs hugePages(TRANSPARENT)");
        CliTest.Run plain = CliTest.run("map", file.toString());
        assertThat(plain.out()).doesNotContain("Huge pages");
        assertThat(Files.size(file)).isEqualTo(8 * huge);
    }
}
