package org.alignedmmap;

import static org.alignedmmap.MmapConstants.MAP_NORESERVE;
import static org.alignedmmap.MmapConstants.MAP_PRIVATE;
import static org.alignedmmap.MmapConstants.MAP_SHARED;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.alignedmmap.internal.linux.SysFs;
import org.alignedmmap.internal.linux.ThpSettings;
import org.alignedmmap.testing.Skips;
import org.alignedmmap.testing.TestFiles;
import org.alignedmmap.testing.TmpfsMount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Mmap#hugePageReport()} on mappings whose obstacle this machine can produce: anonymous
 * memory with and without the advice, shared anonymous memory (shmem), tmpfs mounted with and
 * without {@code huge=} (mounted by the test, as root), a hugetlb mapping without reservation
 * and an empty pool. The file cases of the page cache are in {@link RebuildPageCacheTest}; the
 * cases no test can produce here (THP off, fragmentation) are fed to the diagnosis directly in
 * {@code HugePageDiagnosisTest}. Each skip prints its reason.
 */
class HugePageReportTest {
    private static final long PAGE = SystemAlignment.pageSize();

    @TempDir
    Path dir;

    @Test
    void shouldFindNothingInTheWayOfTouchedTransparentAnonymousMemory() throws IOException {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        long huge = HugePages.TRANSPARENT.pageSize();
        try (Mmap m = Mmap.options().hugePages(HugePages.TRANSPARENT).anonymous(8 * huge + PAGE)) {
            HugePagesTest.touchEveryPage(m.segment(), true);
            HugePageReport report = m.hugePageReport();
            assertThat(report.mappedBytes()).isEqualTo(8 * huge + PAGE);
            assertThat(report.eligibleBytes()).isEqualTo(8 * huge);
            assertThat(report.hugePageSize()).isEqualTo(huge);
            assertThat(report.residentBytes()).isEqualTo(8 * huge + PAGE);
            if (report.hugePageBytes() == report.eligibleBytes()) {
                assertThat(report.findings()).as("%s", report).isEmpty();
                assertThat(report.toString()).contains("no obstacle found");
            } else {
                // A loaded machine may have no free huge page to give: then the report must say so.
                assertThat(report.obstacles()).as("%s", report).containsAnyOf(HugePageObstacle.FRAGMENTATION,
                        HugePageObstacle.UNEXPLAINED);
            }
        }
    }

    @Test
    void shouldNameMissingAdviceOfAnonymousMemory() throws IOException {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        Skips.skipUnless(SystemAlignment.transparentHugePages() == TransparentHugePages.MADVISE,
                "without advice THP gives no huge pages only in mode madvise; it is "
                        + SystemAlignment.transparentHugePages());
        long huge = HugePages.TRANSPARENT.pageSize();
        try (Mmap m = Mmap.options().flags(MAP_PRIVATE).align(huge).anonymous(4 * huge)) {
            HugePagesTest.touchEveryPage(m.segment(), true);
            HugePageReport report = m.hugePageReport();
            assertThat(report.hugePageBytes()).isZero();
            assertThat(report.obstacles()).as("%s", report).containsExactly(HugePageObstacle.NOT_ADVISED);
            assertThat(report.findings().getFirst().evidence()).contains("madvise", "VmFlags hg");
        }
    }

    @Test
    void shouldNameTooShortAnonymousMemory() throws ErrnoException {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        long huge = HugePages.TRANSPARENT.pageSize();
        try (Mmap m = Mmap.options().hugePages(HugePages.TRANSPARENT).anonymous(huge - PAGE)) {
            m.segment().fill((byte) 1);
            HugePageReport report = m.hugePageReport();
            assertThat(report.eligibleBytes()).isZero();
            assertThat(report.obstacles()).as("%s", report).containsExactly(HugePageObstacle.SHORTER_THAN_HUGE_PAGE);
            assertThat(report.findings().getFirst().evidence()).contains(Long.toString(huge - PAGE),
                    Long.toString(huge));
        }
    }

    @Test
    void shouldNameShmemWithoutHugePagesForSharedAnonymousMemory() throws ErrnoException {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        String shmem = ThpSettings.shmemEnabled(SysFs.TRANSPARENT_HUGEPAGE).orElse("absent");
        Skips.skipUnless(shmem.equals("never"), "shmem huge pages are " + shmem + ", not never");
        long huge = HugePages.TRANSPARENT.pageSize();
        try (Mmap m = Mmap.options().flags(MAP_SHARED).hugePages(HugePages.TRANSPARENT).anonymous(4 * huge)) {
            HugePagesTest.touchEveryPage(m.segment(), true);
            HugePageReport report = m.hugePageReport();
            assertThat(report.hugePageBytes()).isZero();
            assertThat(report.obstacles()).as("%s", report)
                    .containsExactly(HugePageObstacle.FILE_SYSTEM_WITHOUT_LARGE_FOLIOS);
            assertThat(report.findings().getFirst().evidence()).contains("shmem_enabled is never");
        }
    }

    @Test
    void shouldNameTmpfsWithoutHugeAndFindHugePagesOnTmpfsWithIt() throws Exception {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        long huge = HugePages.TRANSPARENT.pageSize();
        String shmem = ThpSettings.shmemEnabled(SysFs.TRANSPARENT_HUGEPAGE).orElse("absent");
        Skips.skipUnless(!shmem.equals("force") && !shmem.equals("deny"), "shmem_enabled is " + shmem
                + ", which overrides every tmpfs mount option");
        try (TmpfsMount plain = TmpfsMount.mount(dir.resolve("plain"), "size=64m")) {
            Skips.skipUnless(plain != null, "cannot mount tmpfs here (needs root and a kernel that allows it)");
            Path file = TestFiles.randomFile(plain.path(), "f.bin", (int) (4 * huge), 21);
            try (Mmap m = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).rebuildPageCache(true)
                    .map(file)) {
                HugePagesTest.touchEveryPage(m.segment(), false);
                HugePageReport report = m.hugePageReport();
                assertThat(report.hugePageBytes()).isZero();
                assertThat(report.obstacles()).as("%s", report)
                        .containsExactly(HugePageObstacle.FILE_SYSTEM_WITHOUT_LARGE_FOLIOS);
                assertThat(report.findings().getFirst().evidence()).contains("tmpfs", "without huge=");
                assertThat(m.getBytes(0, 16)).isEqualTo(java.util.Arrays.copyOf(Files.readAllBytes(file), 16));
            }
        }
        try (TmpfsMount withHuge = TmpfsMount.mount(dir.resolve("huge"), "size=64m,huge=always")) {
            Skips.skipUnless(withHuge != null, "cannot mount tmpfs with huge=always here");
            Path file = TestFiles.randomFile(withHuge.path(), "f.bin", (int) (4 * huge), 22);
            try (Mmap m = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).map(file)) {
                HugePagesTest.touchEveryPage(m.segment(), false);
                HugePageReport report = m.hugePageReport();
                assertThat(report.obstacles()).as("%s", report)
                        .doesNotContain(HugePageObstacle.FILE_SYSTEM_WITHOUT_LARGE_FOLIOS);
                assertThat(m.backing().shmemPmdMapped()).as("%s", m.backing()).isPositive();
            }
        }
    }

    @Test
    void shouldNameTheEmptyPoolBehindAHugetlbMappingWithoutReservation() throws IOException {
        Skips.skipUnlessAvailable(HugePages.HUGETLB_2MB);
        long size = HugePages.HUGETLB_2MB.pageSize();
        List<HugePagePool> pools = SystemAlignment.hugePagePools();
        HugePagePool pool = pools.stream().filter(p -> p.size() == size).findFirst().orElseThrow();
        Skips.skipUnless(pool.available() == 0, "the 2 MiB pool has free pages: " + pool);
        // MAP_NORESERVE: the mapping succeeds without pages, and a touch would raise SIGBUS.
        try (Mmap m = Mmap.options().flags(MAP_PRIVATE | MAP_NORESERVE).hugePages(HugePages.HUGETLB_2MB)
                .anonymous(4 * size)) {
            HugePageReport report = m.hugePageReport();
            assertThat(report.hugePageSize()).isEqualTo(size);
            assertThat(report.obstacles()).as("%s", report)
                    .containsExactly(HugePageObstacle.HUGETLB_POOL_EMPTY, HugePageObstacle.NOT_TOUCHED);
            assertThat(report.findings().getFirst().evidence()).contains("VmFlags nr", "4 untouched",
                    "hugepages-2048kB");
        }
    }

    @Test
    void shouldDescribeEveryObstacleWithARemedy() {
        for (HugePageObstacle obstacle : HugePageObstacle.values()) {
            assertThat(obstacle.description()).as("%s", obstacle).endsWith(".").hasSizeGreaterThan(40);
            assertThat(obstacle.remedy()).as("%s", obstacle).endsWith(".").hasSizeGreaterThan(20);
        }
    }
}
