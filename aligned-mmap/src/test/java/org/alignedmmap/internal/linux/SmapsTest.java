package org.alignedmmap.internal.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.alignedmmap.Backing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The smaps parser on text captured from a real kernel (6.18), and the meminfo reader. */
class SmapsTest {
    private static final long KIB = 1024;

    /** Four VMAs: a file, a THP-advised anonymous region, a hugetlb region, and a path with ':' and '-'. */
    private static final String SMAPS = """
            56475b158000-56475b15a000 r--p 00000000 fe:00 260386                     /usr/bin/head
            Size:                  8 kB
            KernelPageSize:        4 kB
            MMUPageSize:           4 kB
            Rss:                   8 kB
            Anonymous:             0 kB
            AnonHugePages:         0 kB
            FilePmdMapped:         0 kB
            Locked:                0 kB
            THPeligible:           0
            VmFlags: rd mr mw me
            7f0000000000-7f0010000000 rw-p 00000000 00:00 0
            Size:             262144 kB
            KernelPageSize:        4 kB
            Rss:              262144 kB
            Anonymous:        262144 kB
            AnonHugePages:    260096 kB
            ShmemPmdMapped:        0 kB
            FilePmdMapped:         0 kB
            Shared_Hugetlb:        0 kB
            Private_Hugetlb:       0 kB
            Swap:                 12 kB
            Locked:                8 kB
            THPeligible:           1
            VmFlags: rd wr mr mw me ac hg
            7f0010000000-7f0010400000 rw-s 00000000 00:10 1234                       /anon_hugepage (deleted)
            Size:               4096 kB
            KernelPageSize:     2048 kB
            Rss:                   0 kB
            Shared_Hugetlb:     4096 kB
            Private_Hugetlb:       0 kB
            Locked:                0 kB
            THPeligible:           0
            VmFlags: rd wr sh mr mw me ms de ht sd
            7f0010400000-7f0010600000 r--s 00000000 fe:00 99                         /tmp/a-b:c d-e.bin
            Size:               2048 kB
            KernelPageSize:        4 kB
            Rss:                2048 kB
            FilePmdMapped:      2048 kB
            VmFlags: rd sh mr mw me hg
            """;

    @Test
    void shouldKeepOnlyTheVmasThatOverlapTheRange() throws IOException {
        List<Smaps.Vma> vmas = Smaps.overlapping(new StringReader(SMAPS), 0x7f000ffff000L, 0x7f0010000001L);
        assertThat(vmas).extracting(Smaps.Vma::start).containsExactly(0x7f0000000000L, 0x7f0010000000L);
        assertThat(vmas.get(0).counter("AnonHugePages")).isEqualTo(260096 * KIB);
        assertThat(vmas.get(0).vmFlags()).contains("hg", "wr");
        assertThat(vmas.get(1).counter("KernelPageSize")).isEqualTo(2048 * KIB);
        assertThat(vmas.get(1).counter("NoSuchCounter")).isZero();
    }

    @Test
    void shouldSumWholeVmasExactly() throws IOException {
        long start = 0x7f0000000000L;
        long end = 0x7f0010400000L;
        Backing backing = Smaps.sum(Smaps.overlapping(new StringReader(SMAPS), start, end), start, end);
        assertThat(backing).isEqualTo(new Backing(start, end - start, end - start, true, 262144 * KIB,
                262144 * KIB, 260096 * KIB, 0, 0, 4096 * KIB, 0, 12 * KIB, 8 * KIB, 2048 * KIB, false));
        assertThat(backing.hugePageBytes()).isEqualTo((260096 + 4096) * KIB);
    }

    @Test
    void shouldMarkRangesThatCutAVmaAsInexact() throws IOException {
        long start = 0x7f0010400000L + 4096;
        long end = start + 4096;
        Backing backing = Smaps.sum(Smaps.overlapping(new StringReader(SMAPS), start, end), start, end);
        assertThat(backing.exact()).isFalse();
        assertThat(backing.size()).isEqualTo(4096);
        assertThat(backing.vmaSize()).isEqualTo(2048 * KIB);
        assertThat(backing.filePmdMapped()).isEqualTo(2048 * KIB);
        assertThat(backing.hugePageAdvised()).isTrue();
        assertThat(backing.hugePageFraction()).isEqualTo(512.0);
    }

    @Test
    void shouldReportAnUnmappedRangeAsEmpty() throws IOException {
        Backing backing = Smaps.sum(Smaps.overlapping(new StringReader(SMAPS), 0x1000, 0x2000), 0x1000, 0x2000);
        assertThat(backing).isEqualTo(new Backing(0x1000, 0x1000, 0, true, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false));
    }

    @Test
    void shouldReadAFileAndFailClearlyWithoutOne(@TempDir Path dir) throws IOException {
        Path copy = Files.writeString(dir.resolve("smaps"), SMAPS);
        assertThat(Smaps.backing(copy, 0x56475b158000L, 0x56475b15a000L).rss()).isEqualTo(8 * KIB);
        assertThatThrownBy(() -> Smaps.backing(dir.resolve("missing"), 0, 1))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("missing");
    }

    @Test
    void shouldReadTheDefaultHugePageSizeFromMeminfo(@TempDir Path dir) throws IOException {
        Path meminfo = Files.writeString(dir.resolve("meminfo"), """
                MemTotal:       24684000 kB
                HugePages_Total:       0
                Hugepagesize:       2048 kB
                Hugetlb:               0 kB
                """);
        assertThat(SysFs.defaultHugePageSize(meminfo)).hasValue(2048 * KIB);
        Path without = Files.writeString(dir.resolve("nohuge"), "MemTotal:       24684000 kB\n");
        assertThat(SysFs.defaultHugePageSize(without)).isEmpty();
        assertThat(SysFs.defaultHugePageSize(dir.resolve("absent"))).isEmpty();
    }

    @Test
    void shouldParseTheLiveFileOfThisProcess() {
        // Every JVM maps its own libjvm: the live file parses and yields counters.
        Backing all = Smaps.backing(Smaps.SELF, 0, -1L >>> 1);
        assertThat(all.rss()).isPositive();
        assertThat(all.kernelPageSize()).isPositive();
        assertThat(all.exact()).isTrue();
    }
}
