package org.alignedmmap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.alignedmmap.MmapConstants.MAP_ANONYMOUS;
import static org.alignedmmap.MmapConstants.MAP_FIXED;
import static org.alignedmmap.MmapConstants.MAP_FIXED_NOREPLACE;
import static org.alignedmmap.MmapConstants.MAP_HUGETLB;
import static org.alignedmmap.MmapConstants.MAP_NORESERVE;
import static org.alignedmmap.MmapConstants.MAP_PRIVATE;
import static org.alignedmmap.MmapConstants.MAP_SHARED;
import static org.alignedmmap.MmapConstants.MAP_TYPE;
import static org.alignedmmap.MmapConstants.PROT_NONE;
import static org.alignedmmap.MmapConstants.PROT_READ;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.alignedmmap.internal.PowerOfTwo;
import org.alignedmmap.internal.linux.Errno;
import org.alignedmmap.internal.linux.LibC;
import org.alignedmmap.testing.OpenFiles;
import org.alignedmmap.testing.ProcMaps;
import org.alignedmmap.testing.ProcSmaps;
import org.alignedmmap.testing.Skips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Transparent huge pages through {@link MmapOptions#hugePages(HugePages)} and {@link
 * Aligned#allocate(Arena, long, long, HugePages)}, with /proc/self/smaps as the witness of what
 * backs the memory, and the options' checks. Skipped, with the reason printed, where the system
 * has no THP.
 */
class HugePagesTest {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldBackWrittenTransparentAnonymousMemoryWithHugePages() throws IOException {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        long huge = HugePages.TRANSPARENT.pageSize();
        long length = 256 * MIB;
        try (Mmap m = Mmap.options().hugePages(HugePages.TRANSPARENT).anonymous(length)) {
            assertThat(m.hugePages()).isEqualTo(HugePages.TRANSPARENT);
            assertThat(m.alignment()).isEqualTo(huge);
            assertThat(m.address() % huge).isZero();
            assertThat(m.flags() & MAP_TYPE).as("anonymous TRANSPARENT defaults to private").isEqualTo(MAP_PRIVATE);
            touchEveryPage(m.segment(), true);

            Backing backing = m.backing();
            assertThat(backing.size()).isEqualTo(length);
            assertThat(backing.hugePageAdvised()).isTrue();
            assertThat(backing.anonHugePages()).as("AnonHugePages of %s", backing)
                    .isGreaterThanOrEqualTo(length / 10 * 9);
            assertThat(backing.rss()).isGreaterThanOrEqualTo(backing.anonHugePages());
            if (backing.exact()) {
                // The test's own smaps reader agrees with the library's.
                assertThat(ProcSmaps.read().entryAt(m.address()).anonHugePages()).isEqualTo(backing.anonHugePages());
            }
        }
    }

    @Test
    void shouldGetNoHugePagesWithoutTheOptionInMadviseMode() throws IOException {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        Skips.skipUnless(SystemAlignment.transparentHugePages() == TransparentHugePages.MADVISE,
                "the contrast needs THP mode madvise; it is " + SystemAlignment.transparentHugePages());
        long huge = HugePages.TRANSPARENT.pageSize();
        long length = 16 * huge;
        // Equally aligned and private: the advice is the only difference.
        try (Mmap plain = Mmap.options().align(huge).flags(MAP_PRIVATE).anonymous(length);
             Mmap advised = Mmap.options().align(huge).flags(MAP_PRIVATE).hugePages(HugePages.TRANSPARENT)
                     .anonymous(length)) {
            touchEveryPage(plain.segment(), true);
            touchEveryPage(advised.segment(), true);
            assertThat(plain.backing().hugePageAdvised()).isFalse();
            assertThat(plain.backing().anonHugePages()).as("AnonHugePages without the option").isZero();
            assertThat(plain.residency().isFullyResident()).isTrue();
            assertThat(advised.backing().anonHugePages()).as("AnonHugePages with TRANSPARENT")
                    .isGreaterThanOrEqualTo(length / 10 * 9);
        }
    }

    @Test
    void shouldMapAFileWithHugePagesWhenTransparent() throws IOException {
        long huge = requireFileThp();
        long length = 8 * huge;
        Path file = uncachedFile("transparent.bin", length);
        try (Mmap m = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).map(file)) {
            assertThat(m.address() % huge).isZero();
            assertThat(m.alignment()).isEqualTo(huge);
            touchEveryPage(m.segment(), false);
            assertThat(m.getBytes(5 * PAGE, 4)).containsOnly(pageByte(5));
            assertThat(m.getBytes(length - 1, 1)).containsOnly(pageByte((length - 1) / PAGE));

            Backing backing = m.backing();
            assertThat(backing.hugePageAdvised()).isTrue();
            assertThat(backing.filePmdMapped()).as("FilePmdMapped of %s", backing).isPositive();
            assertThat(backing.anonHugePages()).isZero();
        }
        // Populated instead of touched: read faults after the advice, so huge pages all the same.
        Path populatedFile = uncachedFile("populated.bin", length);
        try (Mmap m = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).populate(true)
                .map(populatedFile)) {
            Backing backing = m.backing();
            assertThat(backing.rss()).as("populated: %s", backing).isEqualTo(length);
            assertThat(backing.filePmdMapped()).isPositive();
        }
    }

    @Test
    void shouldMapAFileWithBasePagesWithoutTheAdviceOrWhenShiftedByAPage() throws IOException, ErrnoException {
        long huge = requireFileThp();
        Skips.skipUnless(SystemAlignment.transparentHugePages() == TransparentHugePages.MADVISE,
                "the contrast needs THP mode madvise; it is " + SystemAlignment.transparentHugePages());
        long length = 8 * huge;

        // Aligned like TRANSPARENT, but not advised.
        Path plainFile = uncachedFile("plain.bin", length);
        try (Mmap m = Mmap.options().access(Access.READ).align(huge).map(plainFile)) {
            touchEveryPage(m.segment(), false);
            assertThat(m.backing().filePmdMapped()).as("FilePmdMapped without the advice").isZero();
            assertThat(m.backing().rss()).isEqualTo(length);
        }

        // Advised like TRANSPARENT, but one page off a huge page boundary.
        Path shiftedFile = uncachedFile("shifted.bin", length);
        long reservation = LibC.mmap(0, length + 2 * huge, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                -1, 0);
        try {
            long shifted = PowerOfTwo.alignUp(reservation, huge) + PAGE;
            int fd = LibC.open(shiftedFile.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
            try {
                LibC.mmap(shifted, length, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
            } finally {
                LibC.close(fd);
            }
            LibC.madvise(shifted, length, Advice.HUGEPAGE.value());
            MemorySegment segment = MemorySegment.ofAddress(shifted).reinterpret(length);
            touchEveryPage(segment, false);
            Backing backing = Backing.of(segment);
            assertThat(backing.hugePageAdvised()).isTrue();
            assertThat(backing.rss()).isEqualTo(length);
            assertThat(backing.filePmdMapped()).as("FilePmdMapped one page off").isZero();
        } finally {
            LibC.munmap(reservation, length + 2 * huge);
        }
    }

    @Test
    void shouldKeepHugePageAlignmentAndAdviceWhenAResizeMustMove() throws IOException {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        long huge = HugePages.TRANSPARENT.pageSize();
        try (Mmap m = Mmap.options().hugePages(HugePages.TRANSPARENT).anonymous(huge + PAGE)) {
            assertThat(m.length()).as("the length is not rounded to huge pages").isEqualTo(huge + PAGE);
            m.put(0, (byte) 7);
            m.put(huge + PAGE - 1, (byte) 8);
            long before = m.address();
            long blocker = blockPageAfter(m);
            try {
                m.resize(32 * huge);
            } finally {
                if (blocker != 0) {
                    LibC.munmap(blocker, PAGE);
                }
            }
            assertThat(m.address()).as("moved: the page behind was taken").isNotEqualTo(before);
            assertThat(m.address() % huge).isZero();
            assertThat(m.alignment()).isEqualTo(huge);
            assertThat(m.get(0)).isEqualTo((byte) 7);
            assertThat(m.get(huge + PAGE - 1)).isEqualTo((byte) 8);
            touchEveryPage(m.segment(), true);
            Backing backing = m.backing();
            assertThat(backing.hugePageAdvised()).as("advice kept on %s", backing).isTrue();
            assertThat(backing.anonHugePages()).isGreaterThanOrEqualTo(32 * huge / 10 * 9);
        }
    }

    @Test
    void shouldKeepAnExplicitSharingTypeAndAdviseTheCopyThatGrowsSharedMemory() throws IOException {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        long huge = HugePages.TRANSPARENT.pageSize();
        try (Mmap m = Mmap.options().flags(MAP_SHARED).hugePages(HugePages.TRANSPARENT).anonymous(huge)) {
            assertThat(m.flags() & MAP_TYPE).as("explicit MAP_SHARED kept").isEqualTo(MAP_SHARED);
            assertThat(m.backing().hugePageAdvised()).isTrue();
            m.put(5, (byte) 9);
            long before = m.address();
            m.resize(4 * huge); // shared anonymous memory grows by copying into a new mapping
            assertThat(m.address()).isNotEqualTo(before);
            assertThat(m.address() % huge).isZero();
            assertThat(m.get(5)).isEqualTo((byte) 9);
            assertThat(m.backing().hugePageAdvised()).as("the new mapping is advised too").isTrue();
            assertThat(ProcMaps.read().anyMapped(before, before + huge)).as("old mapping unmapped").isFalse();
        }
        try (Mmap m = Mmap.options().access(Access.WRITE).hugePages(HugePages.TRANSPARENT).anonymous(huge)) {
            assertThat(m.flags() & MAP_TYPE).as("Access.WRITE shares").isEqualTo(MAP_SHARED);
        }
    }

    @Test
    void shouldAllocateTransparentHugePagesThroughAligned() {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        long huge = HugePages.TRANSPARENT.pageSize();
        long size = 16 * huge + 1;
        long address;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = Aligned.allocate(arena, size, 64, HugePages.TRANSPARENT);
            address = segment.address();
            assertThat(segment.byteSize()).isEqualTo(size);
            assertThat(address % huge).isZero();
            assertThat(segment.asSlice(0, 4 * PAGE).toArray(JAVA_BYTE)).containsOnly((byte) 0);
            touchEveryPage(segment, true);
            Backing backing = Backing.of(segment);
            assertThat(backing.hugePageAdvised()).isTrue();
            assertThat(backing.anonHugePages()).isGreaterThanOrEqualTo(16 * huge / 10 * 9);
        }
        assertThat(ProcMaps.read().anyMapped(address, address + size)).as("mapped after close").isFalse();
    }

    @Test
    void shouldNotRoundTheLengthOfSmallTransparentMappings() throws ErrnoException {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        long huge = HugePages.TRANSPARENT.pageSize();
        try (Mmap m = Mmap.options().hugePages(HugePages.TRANSPARENT).anonymous(PAGE)) {
            assertThat(m.length()).isEqualTo(PAGE);
            assertThat(m.address() % huge).isZero();
            assertThat(m.backing().size()).isEqualTo(PAGE);
            ProcMaps.Region region = ProcMaps.read().regionAt(m.address());
            assertThat(region.start()).isEqualTo(m.address());
            assertThat(region.end()).as("no address space beyond the page").isEqualTo(m.address() + PAGE);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"HUGETLB_2MB", "HUGETLB_1GB", "HUGETLB_DEFAULT"})
    void shouldRefuseHugetlbForFiles(HugePages kind) throws IOException {
        Path file = Files.write(dir.resolve("file.bin"), new byte[(int) PAGE]);
        long fds = OpenFiles.count();
        assertThatThrownBy(() -> Mmap.options().hugePages(kind).map(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("hugePages(" + kind + ") applies to anonymous memory only");
        assertThat(OpenFiles.count()).isEqualTo(fds);
    }

    @Test
    void shouldRefuseATransparentFileMappingAtAnOffsetOffTheHugePageGrid() throws IOException {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        long huge = HugePages.TRANSPARENT.pageSize();
        Path file = Files.write(dir.resolve("file.bin"), new byte[(int) (2 * huge)]);
        assertThatThrownBy(() -> Mmap.options().hugePages(HugePages.TRANSPARENT).offset(PAGE).map(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset must be a multiple of " + huge + ", was " + PAGE);
        try (Mmap m = Mmap.options().hugePages(HugePages.TRANSPARENT).offset(huge).map(file)) {
            assertThat(m.length()).isEqualTo(huge);
            assertThat(m.address() % huge).isZero();
        }
    }

    @Test
    void shouldRefuseHugePagesTogetherWithHugetlbFlags() {
        assertThatThrownBy(() -> Mmap.options().flags(MAP_PRIVATE | MAP_HUGETLB).hugePages(HugePages.TRANSPARENT)
                .anonymous(PAGE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hugePages(TRANSPARENT) cannot be combined with flags")
                .hasMessageContaining("MAP_HUGETLB");
        assertThatThrownBy(() -> Mmap.options().hugePages(null)).isInstanceOf(NullPointerException.class);
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> Aligned.allocate(arena, PAGE, PAGE, null))
                    .isInstanceOf(NullPointerException.class);
        }
    }

    @Test
    void shouldExplainKindsTheSystemCannotProvide() {
        List<HugePages> unavailable = Arrays.stream(HugePages.values()).filter(k -> !k.isAvailable()).toList();
        Skips.skipUnless(!unavailable.isEmpty(), "every kind of huge page is available here");
        for (HugePages kind : unavailable) {
            String reason = kind.unavailableReason().orElseThrow();
            assertThatThrownBy(() -> Mmap.options().hugePages(kind).anonymous(PAGE))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage("hugePages(" + kind + ") is not available here: " + reason);
        }
    }

    @Test
    void shouldTellAvailabilityFromWhatTheKernelReports() {
        TransparentHugePages mode = SystemAlignment.transparentHugePages();
        assertThat(HugePages.NONE.isAvailable()).isTrue();
        assertThat(HugePages.NONE.pageSize()).isEqualTo(PAGE);
        assertThat(HugePages.TRANSPARENT.isAvailable())
                .isEqualTo(mode == TransparentHugePages.ALWAYS || mode == TransparentHugePages.MADVISE);
        if (HugePages.TRANSPARENT.isAvailable()) {
            assertThat(HugePages.TRANSPARENT.pageSize()).isEqualTo(SystemAlignment.transparentHugePageSize()
                    .orElseThrow());
        } else {
            assertThat(HugePages.TRANSPARENT.unavailableReason().orElseThrow()).contains("transparent_hugepage");
        }
        List<Long> sizes = SystemAlignment.hugePageSizes();
        assertThat(HugePages.HUGETLB_2MB.isAvailable()).isEqualTo(sizes.contains(2L << 20));
        assertThat(HugePages.HUGETLB_1GB.isAvailable()).isEqualTo(sizes.contains(1L << 30));
        if (!HugePages.HUGETLB_1GB.isAvailable()) {
            assertThat(HugePages.HUGETLB_1GB.unavailableReason().orElseThrow()).contains("hugepages-1048576kB");
        }
        if (HugePages.HUGETLB_DEFAULT.isAvailable()) {
            assertThat(sizes).contains(HugePages.HUGETLB_DEFAULT.pageSize());
        }
        assertThat(HugePages.HUGETLB_2MB.mmapFlags()).isEqualTo(MAP_HUGETLB | MmapConstants.MAP_HUGE_2MB);
        assertThat(HugePages.HUGETLB_1GB.mmapFlags()).isEqualTo(MAP_HUGETLB | MmapConstants.MAP_HUGE_1GB);
        assertThat(HugePages.TRANSPARENT.mmapFlags()).isZero();
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Skips unless THP works for files here: available, and the temp dir on ext4. */
    private long requireFileThp() throws IOException {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        String type = Files.getFileStore(dir).type();
        Skips.skipUnless(type.equals("ext4"), "FilePmdMapped is asserted on ext4 only; " + dir + " is on " + type);
        return HugePages.TRANSPARENT.pageSize();
    }

    /**
     * Writes a file with O_DIRECT, so that none of it is in the page cache: pages cached in small
     * folios by write(2) would stay small, whatever the mapping.
     */
    private Path uncachedFile(String name, long length) throws IOException {
        Path file = dir.resolve(name);
        long block = SystemAlignment.directIo(dir).fileChannel();
        long chunk = Math.max(MIB, block);
        try (Arena arena = Arena.ofConfined();
             FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                     DirectIo.DIRECT)) {
            MemorySegment buffer = Aligned.allocate(arena, chunk, block);
            for (long at = 0; at < length; at += chunk) {
                for (long page = 0; page < chunk; page += PAGE) {
                    buffer.asSlice(page, PAGE).fill(pageByte((at + page) / PAGE));
                }
                channel.write(buffer.asByteBuffer(), at);
            }
        }
        return file;
    }

    private static byte pageByte(long page) {
        return (byte) (page * 31 + 7);
    }

    /** Reads or writes one byte of every page, faulting the whole segment in. */
    static long touchEveryPage(MemorySegment segment, boolean write) {
        long sum = 0;
        for (long at = 0; at < segment.byteSize(); at += PAGE) {
            if (write) {
                segment.set(JAVA_BYTE, at, (byte) 1);
            } else {
                sum += segment.get(JAVA_BYTE, at);
            }
        }
        return sum;
    }

    /** Maps the page right behind the mapping, so that growing it in place is impossible. */
    static long blockPageAfter(Mmap m) throws ErrnoException {
        long behind = m.address() + PowerOfTwo.alignUp(m.length(), PAGE);
        try {
            return LibC.mmap(behind, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EEXIST) {
                return 0; // something is there already: blocked anyway
            }
            throw e;
        }
    }
}
