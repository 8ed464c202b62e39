package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.alignedmmap.internal.PowerOfTwo;
import org.alignedmmap.testing.Gc;
import org.alignedmmap.testing.ProcMaps;
import org.alignedmmap.testing.ProcMaps.Range;
import org.alignedmmap.testing.ProcSmaps;
import org.alignedmmap.testing.ProcStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Address space and memory that Aligned's allocations hold, and their release on arena close and
 * on GC, with /proc/self/maps, /proc/self/smaps and /proc/self/status as witnesses.
 */
class AlignedReleaseTest {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final long MIB = 1L << 20;

    @ParameterizedTest(name = "align={0}")
    @ValueSource(longs = {64L << 20, 1L << 30})
    void shouldKeepNoAddressSpaceBeyondThePageRoundedSize(long align) {
        for (int i = 0; i < 16; i++) {
            long size = 1 + i * 5 * PAGE / 3;
            long span = PowerOfTwo.alignUp(size, PAGE);
            ProcMaps before = ProcMaps.read();
            long address;
            long windowStart;
            long windowEnd;
            try (Arena arena = Arena.ofConfined()) {
                address = Aligned.allocate(arena, size, align).address();
                ProcMaps during = ProcMaps.read();
                windowStart = address - align;
                windowEnd = address + span + align;
                List<Range> changed = ProcMaps.changed(before, during, windowStart, windowEnd);
                // Ranges are merged: a leftover head or tail of the reservation would widen ours.
                assertThat(changed).as("address space that changed around 0x%x", address)
                        .contains(new Range(address, address + span));
                assertThat(reservationsIn(during, changed)).as("PROT_NONE left around the memory").isEmpty();
                assertThat(during.regionAt(address).perms()).startsWith("rw-p");
            }
            ProcMaps after = ProcMaps.read();
            assertThat(after.anyMapped(address, address + span)).as("mapped after close").isFalse();
            assertThat(reservationsIn(after, ProcMaps.changed(before, after, windowStart, windowEnd)))
                    .as("PROT_NONE left after close").isEmpty();
        }
    }

    @Test
    void shouldUnmapEveryMappedAllocationWhenTheArenaCloses() {
        List<long[]> ranges = new ArrayList<>();
        MemorySegment last;
        try (Arena arena = Arena.ofShared()) {
            for (long[] request : new long[][] {{1, PAGE}, {3 * PAGE, 2 * MIB}, {0, 1L << 30}, {5 * MIB + 1, 8},
                    {1L << 30, 1L << 30}}) {
                last = Aligned.allocate(arena, request[0], request[1]);
                long span = PowerOfTwo.alignUp(Math.max(1, request[0]), PAGE);
                ranges.add(new long[] {last.address(), span});
                assertThat(ProcMaps.read().anyMapped(last.address(), last.address() + span)).isTrue();
            }
        }
        ProcMaps after = ProcMaps.read();
        for (long[] range : ranges) {
            assertThat(after.anyMapped(range[0], range[0] + range[1]))
                    .as("0x%x (%d bytes) mapped after close", range[0], range[1]).isFalse();
        }
    }

    @Test
    void shouldFreeSmallAllocationsWhenTheArenaCloses() throws IOException {
        // Malloc'ed memory leaves no trace in /proc/self/maps; a leak would in the resident set:
        // 20,000 zeroed 64 KiB segments are 1.25 GiB, far above any noise of the JVM.
        long rssBefore = ProcStatus.kilobytes("VmRSS");
        for (int round = 0; round < 20; round++) {
            try (Arena arena = Arena.ofConfined()) {
                for (int i = 0; i < 1_000; i++) {
                    Aligned.allocate(arena, 64 * 1024, 64);
                }
            }
        }
        long grownKilobytes = ProcStatus.kilobytes("VmRSS") - rssBefore;
        assertThat(grownKilobytes).as("resident set growth in kB").isLessThan(256 * 1024);
    }

    @Test
    void shouldReleaseMemoryOfAnAutoArenaAfterGc() throws Exception {
        long address = allocateAndForget(Arena.ofAuto(), 3 * PAGE, 64L << 20);
        assertThat(Gc.eventually(() -> !ProcMaps.read().anyMapped(address, address + 3 * PAGE)))
                .as("auto-arena memory at 0x%x released after GC", address).isTrue();
    }

    @Test
    void shouldReleaseADirectBufferAfterGcButNotBefore() throws Exception {
        ByteBuffer kept = Aligned.allocateDirect((int) (2 * PAGE), 2 << 20);
        long keptAddress = Aligned.address(kept);
        long forgotten = directBufferAddress();
        assertThat(Gc.eventually(() -> !ProcMaps.read().anyMapped(forgotten, forgotten + 2 * PAGE)))
                .as("unreachable direct buffer at 0x%x released after GC", forgotten).isTrue();
        // The kept buffer went through the same collections: still mapped and usable.
        assertThat(ProcMaps.read().anyMapped(keptAddress, keptAddress + 2 * PAGE)).isTrue();
        ByteBuffer slice = kept.slice(8, 8);
        kept = null;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
        }
        // Only a slice is left, and it keeps the memory alive.
        slice.putLong(0, 77);
        assertThat(slice.getLong(0)).isEqualTo(77);
        assertThat(ProcMaps.read().anyMapped(keptAddress, keptAddress + 2 * PAGE)).isTrue();
    }

    @Test
    void shouldMakeOnlyTouchedPagesResident() throws Exception {
        long size = 64 * MIB;
        long align = 2 * MIB;
        List<MemorySegment> attempts = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = allocateInAMappingOfItsOwn(arena, size, align, attempts);
            long address = segment.address();

            ProcSmaps.Entry untouched = ProcSmaps.read().entryAt(address);
            assertThat(untouched.rss()).as("Rss of 64 MiB never touched").isZero();

            int touched = 10;
            for (int i = 0; i < touched; i++) {
                // One page in each of several 2 MiB blocks, never the whole block.
                segment.set(ValueLayout.JAVA_BYTE, i * 3 * MIB + 17, (byte) 1);
            }
            ProcSmaps.Entry after = ProcSmaps.read().entryAt(address);
            assertThat(after.start()).isEqualTo(address);
            assertThat(after.end()).isEqualTo(address + size);
            assertThat(after.rss()).as("Rss after touching %d pages", touched)
                    .isBetween(touched * PAGE, touched * largestFaultWithoutAdvice());
        }
    }

    /**
     * Allocates until the mapping is a VMA of its own: an anonymous mapping that ends right at a
     * compatible neighbour merges with it, and smaps then counts both together.
     */
    private static MemorySegment allocateInAMappingOfItsOwn(Arena arena, long size, long align,
                                                            List<MemorySegment> attempts) {
        for (int i = 0; i < 8; i++) {
            MemorySegment segment = Aligned.allocate(arena, size, align);
            attempts.add(segment);
            ProcSmaps.Entry entry = ProcSmaps.read().entryAt(segment.address());
            if (entry.start() == segment.address() && entry.end() == segment.address() + size) {
                return segment;
            }
        }
        assumeThat(false).as("every allocation merged with a neighbouring mapping; smaps cannot isolate it").isTrue();
        throw new AssertionError("unreachable");
    }

    /** A fault maps one base page, unless (m)THP is on for memory without madvise. */
    static long largestFaultWithoutAdvice() throws IOException {
        long largest = PAGE;
        TransparentHugePages mode = SystemAlignment.transparentHugePages();
        if (mode == TransparentHugePages.ALWAYS) {
            largest = Math.max(largest, SystemAlignment.transparentHugePageSize().orElse(PAGE));
        }
        Path thp = Path.of("/sys/kernel/mm/transparent_hugepage");
        if (Files.isDirectory(thp)) {
            try (DirectoryStream<Path> sizes = Files.newDirectoryStream(thp, "hugepages-*kB")) {
                for (Path dir : sizes) {
                    Path file = dir.resolve("enabled");
                    if (!Files.exists(file)) {
                        continue; // sizes only page cache folios use, never anonymous memory
                    }
                    String enabled = Files.readString(file);
                    boolean on = enabled.contains("[always]")
                            || (enabled.contains("[inherit]") && mode == TransparentHugePages.ALWAYS);
                    if (on) {
                        String name = dir.getFileName().toString();
                        largest = Math.max(largest, 1024 * Long.parseLong(name.substring(10, name.length() - 2)));
                    }
                }
            }
        }
        return largest;
    }

    private static long allocateAndForget(Arena arena, long size, long align) {
        MemorySegment segment = Aligned.allocate(arena, size, align);
        segment.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        return segment.address();
    }

    private static long directBufferAddress() {
        ByteBuffer buffer = Aligned.allocateDirect((int) (2 * PAGE), 2 << 20);
        buffer.put(0, (byte) 1);
        return Aligned.address(buffer);
    }

    private static List<Range> reservationsIn(ProcMaps snapshot, List<Range> changed) {
        return changed.stream().filter(r -> {
            ProcMaps.Region region = snapshot.regionAt(r.start());
            return region != null && region.perms().startsWith("---") && region.path().isEmpty();
        }).toList();
    }
}
