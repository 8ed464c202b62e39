package org.alignedmmap.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-file smaps counters are those of the file this process maps, and only of it. */
class SmapsFilesTest {
    private static final long SIZE = 8L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldCountTheResidentBytesOfAMappedFile() throws IOException {
        Path file = write(dir.resolve("mapped.bin"));
        Path unmapped = write(dir.resolve("unmapped.bin"));
        try (Arena arena = Arena.ofConfined(); FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, SIZE, arena);
            long sum = 0;
            for (long at = 0; at < SIZE; at += 4096) {
                sum += segment.get(ValueLayout.JAVA_BYTE, at);
            }
            assertThat(sum).isEqualTo(SIZE / 4096);

            var usage = SmapsFiles.read();

            assertThat(usage.get(file.toAbsolutePath().normalize().toString()).rss()).isEqualTo(SIZE);
            assertThat(usage).doesNotContainKey(unmapped.toAbsolutePath().normalize().toString());
            assertThat(SmapsFiles.hugePercent(usage, unmapped)).isZero();
        }
    }

    /** On a tmpfs mounted huge=always, the kernel maps the file's pages with PMDs: the witness of a huge share. */
    @Test
    void shouldSeeTheHugePagesOfAHugeTmpfs() throws Exception {
        TmpfsCopy tmpfs;
        try {
            tmpfs = TmpfsCopy.mount(dir.resolve("mnt"), SIZE * 2);
        } catch (IOException e) {
            assumeTrue(false, "cannot mount a tmpfs here: " + e.getMessage());
            return;
        }
        try (tmpfs) {
            Path copy = tmpfs.copy(Files.createDirectories(dir.resolve("index")), "index");
            Path file = write(copy.resolve("huge.bin"));
            try (Arena arena = Arena.ofConfined();
                 FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                MemorySegment segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, SIZE, arena);
                long sum = 0;
                for (long at = 0; at < SIZE; at += 4096) {
                    sum += segment.get(ValueLayout.JAVA_BYTE, at);
                }
                assertThat(sum).isEqualTo(SIZE / 4096);

                double percent = SmapsFiles.hugePercent(SmapsFiles.read(), file);

                // FileChannel.map picks its own address: only the 2 MiB-aligned part is PMD-mapped.
                assertThat(percent).isGreaterThan(0);
            }
        }
    }

    private static Path write(Path file) throws IOException {
        byte[] bytes = new byte[(int) SIZE];
        for (int i = 0; i < bytes.length; i += 4096) {
            bytes[i] = 1;
        }
        return Files.write(file, bytes);
    }
}
