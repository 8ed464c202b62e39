package org.alignedmmap.internal.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.alignedmmap.HugePageObstacle;
import org.alignedmmap.HugePageReport;
import org.alignedmmap.TransparentHugePages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The diagnosis as a function of what was observed, for the cases this machine cannot produce
 * (THP off for the system, one size or the process; fallbacks; a file system nobody knows), and
 * the parsers it reads the system with, on copies of the kernel's files.
 */
class HugePageDiagnosisTest {
    private static final long PAGE = 4096;
    private static final long HUGE = 2L << 20;
    private static final long BASE = 0x7f0000000000L;
    private static final LargeFolioSupport.Verdict EXT4 = new LargeFolioSupport.Verdict(LargeFolioSupport.Support.YES,
            "ext4 at /");
    private static final LargeFolioSupport.Verdict UNKNOWN = new LargeFolioSupport.Verdict(
            LargeFolioSupport.Support.UNKNOWN, "fuseblk at /mnt: not a file system this library knows");

    @TempDir
    Path dir;

    /** A fully touched, advised 16 MiB anonymous mapping in madvise mode, all huge unless changed. */
    private static Observations.Builder anonymous() {
        return new Observations.Builder().address(BASE).length(16 * HUGE).span(16 * HUGE).fileOffset(-1)
                .rss(16 * HUGE).hugeBytes(16 * HUGE).advised(true).mode(TransparentHugePages.MADVISE)
                .sizeMode("inherit").hugePageSize(HUGE);
    }

    private static Observations.Builder file() {
        return anonymous().fileOffset(0).fileSystem(EXT4);
    }

    @Test
    void shouldFindNothingWhenEverythingEligibleIsHuge() {
        HugePageReport report = HugePageDiagnosis.diagnose(anonymous().build());
        assertThat(report.findings()).isEmpty();
        assertThat(report.hugePageFraction()).isEqualTo(1.0);
        // Even without the advice: the file's folios were huge already (written in whole huge pages).
        assertThat(HugePageDiagnosis.diagnose(file().advised(false).build()).findings()).isEmpty();
    }

    @Test
    void shouldNameTransparentHugePagesSwitchedOffAndBy() {
        HugePageReport never = HugePageDiagnosis.diagnose(anonymous().hugeBytes(0).mode(TransparentHugePages.NEVER)
                .build());
        assertThat(never.obstacles()).containsExactly(HugePageObstacle.THP_DISABLED);
        assertThat(never.findings().getFirst().evidence()).contains("enabled is [never]");

        HugePageReport size = HugePageDiagnosis.diagnose(anonymous().hugeBytes(0).sizeMode("never").build());
        assertThat(size.obstacles()).containsExactly(HugePageObstacle.THP_DISABLED);
        assertThat(size.findings().getFirst().evidence()).contains("2048 kB pages is [never]", "hugepages-2048kB");

        HugePageReport process = HugePageDiagnosis.diagnose(anonymous().hugeBytes(0).processDisabled(true).build());
        assertThat(process.findings().getFirst().evidence()).contains("THP_enabled is 0");

        HugePageReport none = HugePageDiagnosis.diagnose(anonymous().hugeBytes(0).hugePageSize(0)
                .mode(TransparentHugePages.UNSUPPORTED).build());
        assertThat(none.obstacles()).contains(HugePageObstacle.THP_DISABLED);
        assertThat(none.eligibleBytes()).isZero();
    }

    @Test
    void shouldFollowThePerSizeModeOverTheSystemWideOne() {
        // The system says never, the size says always: anonymous memory needs no advice.
        HugePageReport report = HugePageDiagnosis.diagnose(anonymous().mode(TransparentHugePages.NEVER)
                .sizeMode("always").advised(false).hugeBytes(0).build());
        assertThat(report.obstacles()).doesNotContain(HugePageObstacle.THP_DISABLED, HugePageObstacle.NOT_ADVISED);
    }

    @Test
    void shouldNameMissingAdviceAndAdviceAgainst() {
        assertThat(HugePageDiagnosis.diagnose(anonymous().advised(false).hugeBytes(0).build()).obstacles())
                .containsExactly(HugePageObstacle.NOT_ADVISED);
        assertThat(HugePageDiagnosis.diagnose(anonymous().mode(TransparentHugePages.ALWAYS).advised(false)
                .hugeBytes(0).build()).obstacles()).as("mode always needs no advice")
                .containsExactly(HugePageObstacle.UNEXPLAINED);
        HugePageReport against = HugePageDiagnosis.diagnose(anonymous().mode(TransparentHugePages.ALWAYS)
                .advisedAgainst(true).hugeBytes(0).build());
        assertThat(against.obstacles()).containsExactly(HugePageObstacle.NOT_ADVISED);
        assertThat(against.findings().getFirst().evidence()).contains("MADV_NOHUGEPAGE");
    }

    @Test
    void shouldCountOnlyWholeAlignedBlocksAsEligible() {
        // Half a huge page in: blocks 1..7 are whole, the head and the last half are not.
        HugePageDiagnosis.Observation o = anonymous().address(BASE + HUGE / 2)
                .length(8 * HUGE).span(8 * HUGE).rss(8 * HUGE)
                .hugeBytes(7 * HUGE).build();
        HugePageReport report = HugePageDiagnosis.diagnose(o);
        assertThat(report.eligibleBytes()).isEqualTo(7 * HUGE);
        assertThat(report.obstacles()).containsExactly(HugePageObstacle.ADDRESS_NOT_ALIGNED);
        assertThat(report.findings().getFirst().evidence()).contains("first " + (HUGE / 2) + " bytes");

        // A file whose address and offset differ by a page: nothing eligible at all.
        HugePageReport shifted = HugePageDiagnosis.diagnose(file().fileOffset(PAGE).hugeBytes(0).build());
        assertThat(shifted.eligibleBytes()).isZero();
        assertThat(shifted.obstacles()).containsExactly(HugePageObstacle.OFFSET_NOT_CONGRUENT);

        // Congruent but unaligned: the inner blocks count.
        HugePageDiagnosis.Observation congruent = file().address(BASE + PAGE)
                .fileOffset(PAGE).length(4 * HUGE).span(4 * HUGE)
                .rss(4 * HUGE).hugeBytes(3 * HUGE).build();
        assertThat(HugePageDiagnosis.eligibleBytes(congruent)).isEqualTo(3 * HUGE);
    }

    @Test
    void shouldInferSmallFoliosOnlyFromPagesCachedBeforeAndBlocksMissingAfter() {
        HugePageBaseline cachedBefore = new HugePageBaseline(16, 16, false, Map.of());
        HugePageReport small = HugePageDiagnosis.diagnose(file().hugeBytes(2 * HUGE).baseline(cachedBefore).build());
        assertThat(small.obstacles()).containsExactly(HugePageObstacle.SMALL_FOLIOS_CACHED);
        assertThat(small.findings().getFirst().evidence()).contains("16 of 16 huge-page blocks", "Inferred",
                (14 * HUGE) + " bytes");

        // Cached before, but huge: nothing missing, nothing to name.
        assertThat(HugePageDiagnosis.diagnose(file().baseline(cachedBefore).build()).findings()).isEmpty();

        // Not cached before and still missing: not small folios; the free blocks tell fragmentation.
        HugePageBaseline uncached = new HugePageBaseline(16, 0, true, Map.of());
        HugePageReport fragmented = HugePageDiagnosis.diagnose(file().hugeBytes(2 * HUGE).baseline(uncached)
                .freeHugeBlocks(OptionalLong.of(0)).build());
        assertThat(fragmented.obstacles()).containsExactly(HugePageObstacle.FRAGMENTATION);
        assertThat(fragmented.findings().getFirst().evidence()).contains("buddyinfo", "no fallback counter");

        HugePageReport unexplained = HugePageDiagnosis.diagnose(file().hugeBytes(2 * HUGE).baseline(uncached)
                .freeHugeBlocks(OptionalLong.of(100)).build());
        assertThat(unexplained.obstacles()).containsExactly(HugePageObstacle.UNEXPLAINED);
    }

    @Test
    void shouldSayWhatARebuildCouldNotDrop() {
        HugePageBaseline kept = new HugePageBaseline(16, 3, true, Map.of());
        HugePageReport report = HugePageDiagnosis.diagnose(file().hugeBytes(10 * HUGE).baseline(kept).build());
        assertThat(report.obstacles()).containsExactly(HugePageObstacle.SMALL_FOLIOS_CACHED);
        assertThat(report.findings().getFirst().evidence()).contains("after rebuildPageCache", "mapped by another");
    }

    @Test
    void shouldNameAnonymousFallbacksFromTheCountersThatRose() {
        HugePageBaseline before = new HugePageBaseline(-1, 0, false, Map.of("thp_fault_fallback", 10L,
                "thp_fault_fallback_charge", 0L));
        HugePageReport report = HugePageDiagnosis.diagnose(anonymous().hugeBytes(12 * HUGE).baseline(before)
                .counters(Map.of("thp_fault_fallback", 14L, "thp_fault_fallback_charge", 0L)).defrag("madvise")
                .build());
        assertThat(report.obstacles()).containsExactly(HugePageObstacle.FRAGMENTATION);
        assertThat(report.findings().getFirst().evidence()).contains("rose by 4", "system-wide", "defrag is madvise");
        // The counters did not move: not fragmentation as far as can be seen.
        HugePageReport still = HugePageDiagnosis.diagnose(anonymous().hugeBytes(12 * HUGE).baseline(before)
                .counters(before.counters()).build());
        assertThat(still.obstacles()).containsExactly(HugePageObstacle.UNEXPLAINED);
    }

    @Test
    void shouldInferAFileSystemWithoutLargeFoliosOnlyWhenNothingGotAHugePage() {
        HugePageBaseline uncached = new HugePageBaseline(16, 0, false, Map.of());
        HugePageReport none = HugePageDiagnosis.diagnose(file().fileSystem(UNKNOWN).hugeBytes(0).baseline(uncached)
                .build());
        assertThat(none.obstacles()).containsExactly(HugePageObstacle.FILE_SYSTEM_WITHOUT_LARGE_FOLIOS);
        assertThat(none.findings().getFirst().evidence()).contains("fuseblk", "inferred", "16 eligible blocks");
        HugePageReport some = HugePageDiagnosis.diagnose(file().fileSystem(UNKNOWN).hugeBytes(HUGE).baseline(uncached)
                .build());
        assertThat(some.obstacles()).doesNotContain(HugePageObstacle.FILE_SYSTEM_WITHOUT_LARGE_FOLIOS);
    }

    @Test
    void shouldCountUntouchedBytesAndJudgeMissingBlocksOnlyAmongTouchedOnes() {
        // Half touched, all of that huge: untouched, nothing missing.
        HugePageReport half = HugePageDiagnosis.diagnose(anonymous().rss(8 * HUGE).hugeBytes(8 * HUGE).build());
        assertThat(half.obstacles()).containsExactly(HugePageObstacle.NOT_TOUCHED);
        assertThat(half.findings().getFirst().evidence()).contains((8 * HUGE) + " of " + (16 * HUGE));
    }

    @Test
    void shouldNameTheEmptyPoolOnlyForMappingsWithoutReservation() {
        Observations.Builder hugetlb = anonymous().hugetlb(true).rss(0).hugeBytes(0).poolAvailable(1);
        assertThat(HugePageDiagnosis.diagnose(hugetlb.noReserve(true).build()).obstacles())
                .containsExactly(HugePageObstacle.HUGETLB_POOL_EMPTY, HugePageObstacle.NOT_TOUCHED);
        assertThat(HugePageDiagnosis.diagnose(hugetlb.noReserve(false).build()).obstacles())
                .containsExactly(HugePageObstacle.NOT_TOUCHED);
    }

    @Test
    void shouldJudgeFileSystemsByTypeOptionsAndKernel() {
        Optional<String> never = Optional.of("never");
        assertThat(verdict("ext4", "rw,relatime", "6.18.44-fc", never)).isEqualTo(LargeFolioSupport.Support.YES);
        assertThat(verdict("ext4", "rw,relatime", "6.15.2", never)).isEqualTo(LargeFolioSupport.Support.NO);
        assertThat(verdict("ext4", "rw,data=journal", "6.18.0", never)).isEqualTo(LargeFolioSupport.Support.NO);
        assertThat(verdict("xfs", "rw,attr2", "5.18.0", never)).isEqualTo(LargeFolioSupport.Support.YES);
        assertThat(verdict("xfs", "rw,attr2", "5.17.9", never)).isEqualTo(LargeFolioSupport.Support.NO);
        assertThat(verdict("tmpfs", "rw,size=64m", "6.18.0", never)).isEqualTo(LargeFolioSupport.Support.NO);
        assertThat(verdict("tmpfs", "rw,size=64m,huge=within_size", "6.18.0", never))
                .isEqualTo(LargeFolioSupport.Support.YES);
        assertThat(verdict("tmpfs", "rw,size=64m", "6.18.0", Optional.of("force")))
                .isEqualTo(LargeFolioSupport.Support.YES);
        assertThat(verdict("tmpfs", "rw,huge=always", "6.18.0", Optional.of("deny")))
                .isEqualTo(LargeFolioSupport.Support.NO);
        assertThat(verdict("btrfs", "rw", "6.18.0", never)).isEqualTo(LargeFolioSupport.Support.UNKNOWN);
        assertThat(LargeFolioSupport.of(Optional.empty(), "6.18", never).support())
                .isEqualTo(LargeFolioSupport.Support.UNKNOWN);
        assertThat(LargeFolioSupport.ofShmem(Optional.of("never")).support()).isEqualTo(LargeFolioSupport.Support.NO);
        assertThat(LargeFolioSupport.ofShmem(Optional.of("advise")).support()).isEqualTo(LargeFolioSupport.Support.YES);
    }

    @Test
    void shouldParseTheMountTableWithEscapesAndOptionalFields() throws IOException {
        Path mountinfo = Files.writeString(dir.resolve("mountinfo"), """
                27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
                36 35 98:0 /mnt1 /mnt\\040two rw,noatime master:1 shared:2 - tmpfs none rw,size=65536k,huge=within_size
                37 35 0:44 / /broken rw - tmpfs
                not a mount line
                """);
        assertThat(MountTable.read(mountinfo)).hasSize(2);
        MountTable.Mount m = MountTable.ofDevice(mountinfo, 98, 0).orElseThrow();
        assertThat(m.mountPoint()).isEqualTo("/mnt two");
        assertThat(m.type()).isEqualTo("tmpfs");
        assertThat(m.option("huge")).contains("within_size");
        assertThat(m.option("rw")).contains("");
        assertThat(m.option("dax")).isEmpty();
        assertThat(MountTable.ofDevice(mountinfo, 1, 1)).isEmpty();
        assertThat(MountTable.ofDevice(dir.resolve("absent"), 254, 0)).isEmpty();
        // This machine's own table has the file system of this directory.
        FileStatus status = FileStatus.of(dir.toString());
        assertThat(MountTable.ofDevice(MountTable.SELF, status.deviceMajor(), status.deviceMinor())).isPresent();
    }

    @Test
    void shouldReadFallbackCountersAndFreeBlocks() throws IOException {
        Path vmstat = Files.writeString(dir.resolve("vmstat"), """
                nr_free_pages 123
                thp_fault_alloc 2697
                thp_fault_fallback 7
                thp_file_fallback 3
                thp_file_fallback_charge 0
                """);
        assertThat(ThpCounters.read(vmstat)).containsOnly(Map.entry("thp_fault_fallback", 7L),
                Map.entry("thp_file_fallback", 3L), Map.entry("thp_file_fallback_charge", 0L));
        Path buddyinfo = Files.writeString(dir.resolve("buddyinfo"), """
                Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3
                Node 0, zone   Normal    379   3514   6859   3126   1836   1036    527    219     69     24    105
                """);
        // Order 9 (2 MiB of 4 KiB pages): 1 + 24, plus order 10 blocks counted twice: 3 + 105.
        assertThat(ThpCounters.freeHugeBlocks(buddyinfo, HUGE, PAGE)).hasValue(1 + 24 + 2 * (3 + 105));
        assertThat(ThpCounters.freeHugeBlocks(dir.resolve("absent"), HUGE, PAGE)).isEmpty();
        assertThat(ThpCounters.read(ThpCounters.VMSTAT)).containsKey("thp_fault_fallback");
    }

    @Test
    void shouldReadThpSettingsFromACopyOfSysfs() throws IOException {
        Path root = dir.resolve("thp");
        Files.createDirectories(root.resolve("hugepages-2048kB"));
        Files.writeString(root.resolve("shmem_enabled"), "always within_size advise [never] deny force\n");
        Files.writeString(root.resolve("defrag"), "always defer [defer+madvise] madvise never\n");
        Files.writeString(root.resolve("hugepages-2048kB/enabled"), "always [inherit] madvise never\n");
        assertThat(ThpSettings.shmemEnabled(root)).contains("never");
        assertThat(ThpSettings.defrag(root)).contains("defer+madvise");
        assertThat(ThpSettings.sizeEnabled(root, HUGE)).contains("inherit");
        assertThat(ThpSettings.sizeEnabled(root, 1L << 30)).isEmpty();
        Path status = Files.writeString(dir.resolve("status"), "Name:\tjava\nTHP_enabled:\t0\n");
        assertThat(ThpSettings.processDisabled(status)).isTrue();
        assertThat(ThpSettings.processDisabled(ThpSettings.PROC_STATUS)).as("this JVM").isFalse();
    }

    private static LargeFolioSupport.Support verdict(String type, String options, String kernel,
                                                     Optional<String> shmem) {
        return LargeFolioSupport.of(Optional.of(new MountTable.Mount(1, 2, "/m", type, "src", options)), kernel, shmem)
                .support();
    }

    /** Observations with defaults; only what a case changes is set. */
    private static final class Observations {
        private Observations() {}

        static final class Builder {
            private long address;
            private long length;
            private long span;
            private long fileOffset;
            private boolean shmem;
            private boolean hugetlb;
            private long hugePageSize;
            private long rss;
            private long hugeBytes;
            private boolean advised;
            private boolean advisedAgainst;
            private boolean noReserve;
            private TransparentHugePages mode = TransparentHugePages.MADVISE;
            private String sizeMode = "";
            private boolean processDisabled;
            private LargeFolioSupport.Verdict fileSystem;
            private HugePageBaseline baseline;
            private Map<String, Long> counters = Map.of();
            private OptionalLong freeHugeBlocks = OptionalLong.empty();
            private long poolAvailable = -1;
            private String defrag = "";

            Builder address(long v) { address = v; return this; }
            Builder length(long v) { length = v; return this; }
            Builder span(long v) { span = v; return this; }
            Builder fileOffset(long v) { fileOffset = v; return this; }
            Builder hugetlb(boolean v) { hugetlb = v; return this; }
            Builder hugePageSize(long v) { hugePageSize = v; return this; }
            Builder rss(long v) { rss = v; return this; }
            Builder hugeBytes(long v) { hugeBytes = v; return this; }
            Builder advised(boolean v) { advised = v; return this; }
            Builder advisedAgainst(boolean v) { advisedAgainst = v; return this; }
            Builder noReserve(boolean v) { noReserve = v; return this; }
            Builder mode(TransparentHugePages v) { mode = v; return this; }
            Builder sizeMode(String v) { sizeMode = v; return this; }
            Builder processDisabled(boolean v) { processDisabled = v; return this; }
            Builder fileSystem(LargeFolioSupport.Verdict v) { fileSystem = v; return this; }
            Builder baseline(HugePageBaseline v) { baseline = v; return this; }
            Builder counters(Map<String, Long> v) { counters = v; return this; }
            Builder freeHugeBlocks(OptionalLong v) { freeHugeBlocks = v; return this; }
            Builder poolAvailable(long v) { poolAvailable = v; return this; }
            Builder defrag(String v) { defrag = v; return this; }

            HugePageDiagnosis.Observation build() {
                return new HugePageDiagnosis.Observation(address, length, span, fileOffset, shmem, hugetlb,
                        hugePageSize, rss, hugeBytes, advised, advisedAgainst, noReserve, mode, sizeMode,
                        processDisabled, fileSystem, baseline, counters, freeHugeBlocks, poolAvailable, defrag);
            }
        }
    }
}
