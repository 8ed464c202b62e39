package org.alignedmmap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.alignedmmap.testing.ProcMaps;
import org.alignedmmap.testing.Skips;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * hugetlb pages: with a pool large enough, the mapping is made of them (smaps says so); with an
 * empty or small pool, as on a machine nobody configured, the failure names the pool's files and
 * counts instead of a bare ENOMEM, and leaves nothing mapped.
 */
class HugetlbTest {
    private static final long PAGE = SystemAlignment.pageSize();

    @ParameterizedTest
    @EnumSource(names = {"HUGETLB_2MB", "HUGETLB_1GB", "HUGETLB_DEFAULT"})
    void shouldMapFromThePoolOrNameThePoolWhenItIsTooSmall(HugePages kind) throws Exception {
        Skips.skipUnlessAvailable(kind);
        long size = kind.pageSize();
        long length = size + PAGE; // two huge pages
        HugePagePool pool = pool(size);
        if (pool.available() >= 2) {
            try (Mmap m = Mmap.options().hugePages(kind).anonymous(length)) {
                assertThat(m.length()).isEqualTo(length);
                assertThat(m.alignment()).isEqualTo(size);
                assertThat(m.address() % size).isZero();
                m.put(0, (byte) 1);
                m.put(length - 1, (byte) 2);
                Backing backing = m.backing();
                assertThat(backing.size()).isEqualTo(2 * size);
                assertThat(backing.kernelPageSize()).isEqualTo(size);
                assertThat(backing.sharedHugetlb() + backing.privateHugetlb()).as("%s", backing).isEqualTo(2 * size);
                assertThat(m.residency().totalPages()).isEqualTo(2 * size / PAGE);

                if (pool.available() >= 5) {
                    m.resize(3 * size); // copied into 3 new pages while the 2 old ones are held
                    assertThat(m.address() % size).isZero();
                    assertThat(m.get(0)).isEqualTo((byte) 1);
                    assertThat(m.get(length - 1)).isEqualTo((byte) 2);
                    m.put(3 * size - 1, (byte) 3);
                    assertThat(m.backing().sharedHugetlb() + m.backing().privateHugetlb()).isEqualTo(3 * size);
                } else {
                    System.out.println("HugetlbTest: " + kind + " pool " + pool + " too small to test resize");
                }
            }
            assertThat(pool(size).free()).as("pages given back").isEqualTo(pool.free());
            return;
        }
        System.out.println("HugetlbTest: the " + kind + " pool has " + pool + "; testing the failure");
        List<ProcMaps.Region> before = hugetlbRegions();
        assertThatThrownBy(() -> Mmap.options().hugePages(kind).anonymous(length))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("ENOMEM");
                    assertThat(e.call()).isEqualTo("mmap");
                    assertPoolNamed(e.getMessage(), size, pool);
                });
        assertThat(hugetlbRegions()).as("hugetlb mappings after the failure").isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(names = {"HUGETLB_2MB", "HUGETLB_1GB", "HUGETLB_DEFAULT"})
    void shouldAllocateFromThePoolThroughAlignedOrNameThePool(HugePages kind) {
        Skips.skipUnlessAvailable(kind);
        long size = kind.pageSize();
        HugePagePool pool = pool(size);
        try (Arena arena = Arena.ofConfined()) {
            if (pool.available() >= 1) {
                MemorySegment segment = Aligned.allocate(arena, PAGE, 1, kind);
                assertThat(segment.byteSize()).isEqualTo(PAGE);
                assertThat(segment.address() % size).isZero();
                segment.set(JAVA_BYTE, 0, (byte) 1);
                assertThat(Backing.of(segment).kernelPageSize()).isEqualTo(size);
                return;
            }
            List<ProcMaps.Region> before = hugetlbRegions();
            assertThatThrownBy(() -> Aligned.allocate(arena, PAGE, 1, kind))
                    .isInstanceOf(OutOfMemoryError.class)
                    .hasMessageContaining("with hugePages " + kind)
                    .cause().isInstanceOfSatisfying(ErrnoException.class,
                            e -> assertPoolNamed(e.getMessage(), size, pool, 1));
            assertThat(hugetlbRegions()).isEqualTo(before);
        }
    }

    private static void assertPoolNamed(String message, long size, HugePagePool pool) {
        assertPoolNamed(message, size, pool, 2);
    }

    private static void assertPoolNamed(String message, long size, HugePagePool pool, long needed) {
        String dir = "/sys/kernel/mm/hugepages/hugepages-" + size / 1024 + "kB/";
        assertThat(message)
                .startsWith("mmap(")
                .contains("MAP_HUGETLB")
                .contains("ENOMEM")
                .contains("the mapping needs " + needed + " hugetlb page(s) of " + size / 1024 + " kB")
                .contains("the pool has " + pool.total() + " (" + dir + "nr_hugepages)")
                .contains(pool.free() + " of them free (" + dir + "free_hugepages)")
                .contains("echo N > " + dir + "nr_hugepages");
    }

    private static HugePagePool pool(long size) {
        return SystemAlignment.hugePagePools().stream().filter(p -> p.size() == size).findFirst().orElseThrow();
    }

    /** hugetlb mappings of this process: anonymous ones are backed by a deleted hugetlbfs file. */
    private static List<ProcMaps.Region> hugetlbRegions() {
        return ProcMaps.read().regions().stream().filter(r -> r.path().contains("anon_hugepage")).toList();
    }
}
