package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.alignedmmap.internal.linux.LibC;
import org.alignedmmap.internal.linux.SysFs;
import org.alignedmmap.testing.ProcSmaps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What SystemAlignment reads from the system, checked against independent witnesses (/proc/meminfo,
 * the page table geometry, smaps' AnonHugePages) and, for the parsing, against sysfs trees
 * written here.
 */
class SystemAlignmentTest {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final long MIB = 1L << 20;
    private static final int MADV_HUGEPAGE = 14;

    @TempDir
    Path dir;

    @Test
    void shouldListTheDefaultHugePageSizeThatProcMeminfoReports() throws IOException {
        List<Long> sizes = SystemAlignment.hugePageSizes();
        OptionalLong defaultSize = memInfo("Hugepagesize");
        assumeThat(defaultSize.isPresent()).as("this kernel has no hugetlb (no Hugepagesize in /proc/meminfo)")
                .isTrue();
        assertThat(sizes).contains(defaultSize.getAsLong()).isSorted();
        assertThat(sizes).allSatisfy(size -> {
            assertThat(Long.bitCount(size)).isEqualTo(1);
            assertThat(size).isGreaterThan(PAGE);
        });
        assertThat(SystemAlignment.hugePagePools()).extracting(HugePagePool::size).isEqualTo(sizes);
    }

    @Test
    void shouldCountTheDefaultPoolAsProcMeminfoDoes() throws IOException {
        OptionalLong defaultSize = memInfo("Hugepagesize");
        assumeThat(defaultSize.isPresent()).as("this kernel has no hugetlb").isTrue();
        HugePagePool pool = SystemAlignment.hugePagePools().stream()
                .filter(p -> p.size() == defaultSize.getAsLong()).findFirst().orElseThrow();
        assertThat(pool.total()).isEqualTo(memInfoCount("HugePages_Total"));
        assertThat(pool.free()).isEqualTo(memInfoCount("HugePages_Free"));
        assertThat(pool.reserved()).isEqualTo(memInfoCount("HugePages_Rsvd"));
        assertThat(pool.available()).isBetween(0L, pool.free());
    }

    @Test
    void shouldParseHugePagePoolsFromASysfsTree() throws IOException {
        writePool("hugepages-1048576kB", 2, 1, 0);
        writePool("hugepages-2048kB", 10, 4, 3);
        Files.createDirectories(dir.resolve("not-a-pool"));

        assertThat(SysFs.hugePagePools(dir)).containsExactly(
                new HugePagePool(2L << 20, 10, 4, 3), new HugePagePool(1L << 30, 2, 1, 0));
        assertThat(SysFs.hugePageSizes(dir)).containsExactly(2L << 20, 1L << 30);
        assertThat(new HugePagePool(2L << 20, 10, 4, 3).available()).isEqualTo(1);
        assertThat(SysFs.hugePagePools(dir.resolve("absent"))).isEmpty();
        assertThat(SysFs.hugePageSizes(dir.resolve("absent"))).isEmpty();
    }

    @Test
    void shouldParseTheBracketedTransparentHugePageMode() throws IOException {
        Map<String, TransparentHugePages> files = Map.of(
                "[always] madvise never\n", TransparentHugePages.ALWAYS,
                "always [madvise] never\n", TransparentHugePages.MADVISE,
                "always madvise [never]\n", TransparentHugePages.NEVER);
        for (var file : files.entrySet()) {
            Files.writeString(dir.resolve("enabled"), file.getKey());
            assertThat(SysFs.transparentHugePages(dir)).as(file.getKey()).isEqualTo(file.getValue());
        }
        Files.writeString(dir.resolve("enabled"), "always [sometimes] never\n");
        assertThatThrownBy(() -> SysFs.transparentHugePages(dir))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("sometimes");
        assertThat(SysFs.transparentHugePages(dir.resolve("absent"))).isEqualTo(TransparentHugePages.UNSUPPORTED);
        assertThat(SysFs.transparentHugePageSize(dir.resolve("absent"))).isEmpty();
    }

    @Test
    void shouldReportTheSizeOfOnePageOfPageTableEntriesAsTheTransparentHugePage() {
        assumeThat(SystemAlignment.transparentHugePages()).as("no THP on this kernel")
                .isNotEqualTo(TransparentHugePages.UNSUPPORTED);
        // A PMD maps a page full of 8-byte page table entries: 4 KiB pages give 2 MiB.
        assertThat(SystemAlignment.transparentHugePageSize()).hasValue(PAGE * (PAGE / 8));
    }

    @Test
    void shouldReportTheModeTheKernelActuallyApplies() throws ErrnoException {
        TransparentHugePages mode = SystemAlignment.transparentHugePages();
        assumeThat(mode).as("no THP on this kernel").isNotEqualTo(TransparentHugePages.UNSUPPORTED);
        long huge = SystemAlignment.transparentHugePageSize().orElseThrow();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment plain = Aligned.allocate(arena, 4 * huge, huge);
            MemorySegment advised = Aligned.allocate(arena, 4 * huge, huge);
            LibC.madvise(advised.address(), advised.byteSize(), MADV_HUGEPAGE);
            plain.fill((byte) 1);
            advised.fill((byte) 1);

            long plainHuge = ProcSmaps.read().entryAt(plain.address()).anonHugePages();
            long advisedHuge = ProcSmaps.read().entryAt(advised.address()).anonHugePages();
            switch (mode) {
                case NEVER -> {
                    assertThat(plainHuge).isZero();
                    assertThat(advisedHuge).isZero();
                }
                case MADVISE -> {
                    assertThat(plainHuge).as("AnonHugePages without madvise").isZero();
                    assertThat(advisedHuge).as("AnonHugePages with MADV_HUGEPAGE").isPositive();
                }
                case ALWAYS -> assertThat(plainHuge).as("AnonHugePages without madvise").isPositive();
                default -> throw new AssertionError(mode);
            }
        }
    }

    @Test
    void shouldReportTheCacheLineSizeThatSysfsDescribes() throws IOException {
        long size = SystemAlignment.cacheLineSize();
        assertThat(Long.bitCount(size)).isEqualTo(1);
        assertThat(size).isBetween(16L, 1024L);
        Path index0 = Path.of("/sys/devices/system/cpu/cpu0/cache/index0");
        assumeThat(Files.exists(index0.resolve("coherency_line_size")))
                .as("sysfs does not describe the caches here; nothing independent to compare with").isTrue();
        assertThat(size).isEqualTo(Long.parseLong(Files.readString(index0.resolve("coherency_line_size")).strip()));
    }

    @Test
    void shouldTakeTheLevelOneDataCacheFromASysfsTree() throws IOException {
        writeCache("index0", 1, "Instruction", 32);
        writeCache("index1", 1, "Data", 128);
        writeCache("index2", 2, "Unified", 256);
        assertThat(SysFs.cacheLineSize(dir)).hasValue(128);
        assertThat(SysFs.cacheLineSize(dir.resolve("absent"))).isEmpty();
    }

    @Test
    void shouldFindThePartitionsDiskForTheLogicalBlockSize() throws IOException {
        // /sys/dev/block/8:1 -> .../block/sda/sda1, which has no queue/ of its own.
        Path disk = Files.createDirectories(dir.resolve("devices/block/sda/queue"));
        Files.writeString(disk.resolve("logical_block_size"), "4096\n");
        Path partition = Files.createDirectories(dir.resolve("devices/block/sda/sda1"));
        Files.writeString(partition.resolve("partition"), "1\n");
        Path byNumber = Files.createDirectories(dir.resolve("dev/block"));
        Files.createSymbolicLink(byNumber.resolve("8:1"), partition);
        Files.createSymbolicLink(byNumber.resolve("8:0"), disk.getParent());

        assertThat(SysFs.logicalBlockSize(byNumber, 8, 1)).hasValue(4096);
        assertThat(SysFs.logicalBlockSize(byNumber, 8, 0)).hasValue(4096);
        assertThat(SysFs.logicalBlockSize(byNumber, 8, 2)).isEmpty();
        assertThat(SysFs.logicalBlockSize(byNumber, 0, 27)).isEmpty();
    }

    private void writePool(String name, long total, long free, long reserved) throws IOException {
        Path pool = Files.createDirectories(dir.resolve(name));
        Files.writeString(pool.resolve("nr_hugepages"), total + "\n");
        Files.writeString(pool.resolve("free_hugepages"), free + "\n");
        Files.writeString(pool.resolve("resv_hugepages"), reserved + "\n");
    }

    private void writeCache(String name, int level, String type, int lineSize) throws IOException {
        Path cache = Files.createDirectories(dir.resolve(name));
        Files.writeString(cache.resolve("level"), level + "\n");
        Files.writeString(cache.resolve("type"), type + "\n");
        Files.writeString(cache.resolve("coherency_line_size"), lineSize + "\n");
    }

    /** A "kB" field of /proc/meminfo in bytes. */
    private static OptionalLong memInfo(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith(field + ":")) {
                return OptionalLong.of(Long.parseLong(line.split("\\s+")[1]) * 1024);
            }
        }
        return OptionalLong.empty();
    }

    /** A plain count of /proc/meminfo. */
    private static long memInfoCount(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.split("\\s+")[1]);
            }
        }
        throw new IllegalStateException(field + " not in /proc/meminfo");
    }
}
