package org.alignedmmap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.LongStream;
import org.alignedmmap.testing.ProcMaps;
import org.alignedmmap.testing.ProcessFootprint;
import org.alignedmmap.testing.Skips;
import org.alignedmmap.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What AlignedArena hands out, over sizes and alignments from 1 B to 1 GiB: aligned, exactly
 * sized, zero-filled, disjoint, of the arena's scope; and that it works wherever an Arena or a
 * SegmentAllocator goes (layouts, allocateFrom, Aligned.copyOf, downcalls and upcall stubs as
 * jextract generates them).
 */
class AlignedArenaAllocationTest {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GIB = 1024 * MIB;

    /** Sizes across every path: inside a chunk, a chunk's tail, a mapping of its own, 1 GiB. */
    private static final long[] SIZES = {0, 1, 7, 64, PAGE - 1, PAGE, PAGE + 1, 100_000, MIB + 3, 64 * MIB, GIB};

    static LongStream alignments() {
        return LongStream.of(1, 2, 8, 16, 64, 256, 2048, PAGE, 64 * KIB, 2 * MIB, 64 * MIB, GIB);
    }

    @ParameterizedTest(name = "align={0}")
    @MethodSource("alignments")
    void shouldHandOutAlignedExactlySizedZeroedDisjointSegments(long align) {
        try (AlignedArena arena = AlignedArena.ofConfined()) {
            List<MemorySegment> segments = new ArrayList<>();
            // Every size twice, the small ones between the large: chunks are filled, left and grown.
            for (int round = 0; round < 2; round++) {
                for (long size : SIZES) {
                    MemorySegment segment = arena.allocate(size, align);
                    assertThat(segment.byteSize()).isEqualTo(size);
                    assertThat(segment.address() % align).as("address 0x%x %% %d, size %d", segment.address(),
                            align, size).isZero();
                    assertThat(segment.isNative()).isTrue();
                    assertThat(segment.isReadOnly()).isFalse();
                    assertThat(segment.scope()).isEqualTo(arena.scope());
                    AlignedAllocationTest.assertZeroFilled(segment);
                    mark(segment, segments.size());
                    segments.add(segment);
                }
            }
            assertDisjointAndMarked(segments);
        }
    }

    @Test
    void shouldKeepEverySizeAndAlignmentDisjointInOneArena() {
        try (AlignedArena arena = AlignedArena.ofShared()) {
            List<MemorySegment> segments = new ArrayList<>();
            for (long align : alignments().toArray()) {
                for (long size : SIZES) {
                    if (size <= 64 * MIB) {
                        MemorySegment segment = arena.allocate(size, align);
                        assertThat(segment.address() % align).isZero();
                        mark(segment, segments.size());
                        segments.add(segment);
                    }
                }
            }
            assertDisjointAndMarked(segments);
        }
    }

    @Test
    void shouldGiveEmptySegmentsAddressesOfTheirOwn() {
        try (AlignedArena arena = AlignedArena.ofConfined()) {
            for (long align : new long[] {1, 64, PAGE, 2 * MIB}) {
                MemorySegment a = arena.allocate(0, align);
                MemorySegment b = arena.allocate(0, align);
                assertThat(a.address()).as("align %d", align).isNotEqualTo(b.address());
                assertThat(a.address() % align).isZero();
                assertThat(b.address() % align).isZero();
                assertThat(a.byteSize()).isZero();
            }
        }
    }

    @Test
    void shouldPackSmallAllocationsIntoOneChunkWithoutGaps() {
        try (AlignedArena arena = AlignedArena.ofConfined()) {
            MemorySegment first = arena.allocate(64, 64);
            for (int i = 1; i < 1000; i++) {
                MemorySegment next = arena.allocate(64, 64);
                assertThat(next.address()).isEqualTo(first.address() + 64L * i);
            }
            // A page-aligned buffer right after: at most a page of padding, never a new mapping.
            MemorySegment page = arena.allocate(PAGE, PAGE);
            assertThat(page.address()).isEqualTo(Aligned.alignUp(first.address() + 64_000, PAGE));
            assertThat(arena.reservedBytes()).isEqualTo(AlignedArena.FIRST_CHUNK);
        }
    }

    @Test
    void shouldGrowChunksAndMapLargeAllocationsOnTheirOwn() {
        try (AlignedArena arena = AlignedArena.ofConfined()) {
            arena.allocate(1, 64);
            assertThat(arena.reservedBytes()).isEqualTo(AlignedArena.FIRST_CHUNK);
            // Larger than half the next chunk: a mapping of exactly its page-rounded size.
            MemorySegment large = arena.allocate(3 * MIB + 1, 8);
            assertThat(arena.reservedBytes()).isEqualTo(AlignedArena.FIRST_CHUNK + Aligned.alignUp(3 * MIB + 1, PAGE));
            assertThat(ProcMaps.read().regionAt(large.address()).perms()).startsWith("rw-p");
            // Each new chunk is as large as everything the arena holds (rounded down to a power of two).
            int chunks = 0;
            for (int i = 0; i < 64; i++) {
                long before = arena.reservedBytes();
                arena.allocate(256 * KIB, 64);
                long grown = arena.reservedBytes() - before;
                if (grown != 0) {
                    assertThat(grown).as("chunk mapped after %d bytes", before).isEqualTo(Long.highestOneBit(before));
                    chunks++;
                }
            }
            assertThat(chunks).as("chunks mapped for 16 MiB").isBetween(2, 4);
            // Growth stops at MAX_GROWN_CHUNK, however much the arena holds.
            arena.allocate(2 * AlignedArena.MAX_GROWN_CHUNK, 1);
            long before = arena.reservedBytes();
            arena.allocate(AlignedArena.MAX_GROWN_CHUNK / 4, 1);
            assertThat(arena.reservedBytes() - before).isEqualTo(AlignedArena.MAX_GROWN_CHUNK);
        }
    }

    @Test
    void shouldTakeTheFirstSmallAllocationsFromMallocUntilAChunkPaysOff() throws Throwable {
        ProcessFootprint.assertNothingLeftBehind(List.of(), () -> {
            try (AlignedArena arena = AlignedArena.ofShared()) {
                List<MemorySegment> small = new ArrayList<>();
                for (int i = 0; i < AlignedArena.MALLOC_ALLOCATIONS; i++) {
                    long size = i % (AlignedArena.MALLOC_MAX_SIZE + 1);
                    MemorySegment segment = arena.allocate(size, 1L << (i % 5));
                    assertThat(segment.address() % (1L << (i % 5))).isZero();
                    assertThat(segment.byteSize()).isEqualTo(size);
                    assertThat(segment.scope()).isEqualTo(arena.scope());
                    AlignedAllocationTest.assertZeroFilled(segment);
                    mark(segment, i);
                    small.add(segment);
                }
                assertThat(arena.reservedBytes()).as("nothing mapped for %d small allocations", small.size()).isZero();
                small.add(arena.allocate(8, 8));
                assertThat(arena.reservedBytes()).as("the next one maps a chunk").isEqualTo(AlignedArena.FIRST_CHUNK);
                assertDisjointAndMarked(small.subList(0, AlignedArena.MALLOC_ALLOCATIONS));
                assertDisjoint(small);
            }
        });
        try (AlignedArena arena = AlignedArena.ofConfined()) {
            // Larger, more aligned, or after a chunk: always from chunks.
            arena.allocate(AlignedArena.MALLOC_MAX_SIZE + 1, 1);
            assertThat(arena.reservedBytes()).isEqualTo(AlignedArena.FIRST_CHUNK);
            MemorySegment small = arena.allocate(8, 8);
            assertThat(ProcMaps.read().regionAt(small.address()).perms()).startsWith("rw-p");
        }
        try (AlignedArena arena = AlignedArena.ofConfined()) {
            arena.allocate(8, 32);
            assertThat(arena.reservedBytes()).isEqualTo(AlignedArena.FIRST_CHUNK);
        }
    }

    @Test
    void shouldUseTheFixedChunkSizeOfTheBuilder() {
        try (AlignedArena arena = AlignedArena.builder().chunkSize(3 * PAGE - 5).confined()) {
            arena.allocate(PAGE, 1);
            assertThat(arena.reservedBytes()).isEqualTo(3 * PAGE);
            arena.allocate(PAGE, 1);
            arena.allocate(PAGE, 1);
            assertThat(arena.reservedBytes()).isEqualTo(3 * PAGE);
            arena.allocate(1, 1);
            assertThat(arena.reservedBytes()).isEqualTo(6 * PAGE);
            // More than the chunk has left and above half a chunk: a mapping of its own, and the
            // chunk keeps serving small allocations.
            MemorySegment own = arena.allocate(3 * PAGE, 1);
            assertThat(arena.reservedBytes()).isEqualTo(9 * PAGE);
            MemorySegment small = arena.allocate(2 * PAGE, 8);
            assertThat(arena.reservedBytes()).isEqualTo(9 * PAGE);
            assertDisjoint(List.of(own, small));
        }
    }

    @Test
    void shouldServeLayoutsAndEverySegmentAllocatorMethod() {
        StructLayout point = MemoryLayout.structLayout(JAVA_INT.withName("x"), MemoryLayout.paddingLayout(4),
                JAVA_LONG.withName("y"));
        VarHandle x = point.varHandle(MemoryLayout.PathElement.groupElement("x"));
        VarHandle y = point.varHandle(MemoryLayout.PathElement.groupElement("y"));
        try (AlignedArena arena = AlignedArena.ofConfined()) {
            SegmentAllocator allocator = arena;
            MemorySegment p = allocator.allocate(point);
            assertThat(p.byteSize()).isEqualTo(point.byteSize());
            assertThat(p.address() % point.byteAlignment()).isZero();
            x.set(p, 0L, 3);
            y.set(p, 0L, 4L);
            assertThat((int) x.get(p, 0L)).isEqualTo(3);
            assertThat((long) y.get(p, 0L)).isEqualTo(4L);

            MemorySegment points = allocator.allocate(point, 10);
            assertThat(points.byteSize()).isEqualTo(10 * point.byteSize());
            MemorySegment text = allocator.allocateFrom("héllo");
            assertThat(text.getString(0)).isEqualTo("héllo");
            MemorySegment ints = allocator.allocateFrom(JAVA_INT, 1, 2, 3);
            assertThat(ints.toArray(JAVA_INT)).containsExactly(1, 2, 3);
            MemorySegment one = allocator.allocateFrom(JAVA_LONG, 42L);
            assertThat(one.get(JAVA_LONG, 0)).isEqualTo(42L);
            MemorySegment pointer = allocator.allocateFrom(ADDRESS, text);
            assertThat(pointer.get(ADDRESS, 0).address()).isEqualTo(text.address());
            MemorySegment copy = allocator.allocateFrom(JAVA_BYTE, MemorySegment.ofArray(new byte[] {9, 8, 7}),
                    JAVA_BYTE, 0, 3);
            assertThat(copy.toArray(JAVA_BYTE)).containsExactly(9, 8, 7);
            for (MemorySegment s : List.of(p, points, text, ints, one, pointer, copy)) {
                assertThat(s.scope()).isEqualTo(arena.scope());
            }
        }
    }

    @Test
    void shouldWorkAsTheArenaOfAlignedAndOfByteBuffers() {
        byte[] bytes = TestFiles.randomBytes(10_000, 3);
        try (AlignedArena arena = AlignedArena.ofShared()) {
            for (long align : new long[] {1, 64, PAGE, 2 * MIB}) {
                MemorySegment copy = Aligned.copyOf(bytes, align, arena);
                assertThat(copy.address() % align).isZero();
                assertThat(copy.toArray(JAVA_BYTE)).isEqualTo(bytes);
                assertThat(copy.scope()).isEqualTo(arena.scope());
                MemorySegment allocated = Aligned.allocate(arena, 3 * PAGE, align);
                AlignedAllocationTest.assertZeroFilled(allocated);
            }
            ByteBuffer buffer = Aligned.allocateDirect(arena, 4096, 4096);
            buffer.putInt(0, 5);
            assertThat(Aligned.isAligned(buffer, 4096)).isTrue();
            ByteBuffer view = arena.allocate(100, 8).asByteBuffer();
            view.putLong(92, 1L);
            assertThat(view.getLong(92)).isEqualTo(1L);
        }
    }

    @Test
    void shouldPassItsSegmentsToDowncallsAndOwnUpcallStubsAsJextractCodeDoes() throws Throwable {
        // What jextract generates for qsort and strlen: a downcall taking segments allocated by the
        // caller's SegmentAllocator, and a comparator upcall stub bound to the caller's arena.
        Linker linker = Linker.nativeLinker();
        MethodHandle qsort = linker.downcallHandle(linker.defaultLookup().find("qsort").orElseThrow(),
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        MethodHandle strlen = linker.downcallHandle(linker.defaultLookup().find("strlen").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        MethodHandle compare = MethodHandles.lookup().findStatic(AlignedArenaAllocationTest.class, "compareInts",
                MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class));
        FunctionDescriptor comparator = FunctionDescriptor.of(JAVA_INT, ADDRESS.withTargetLayout(JAVA_INT),
                ADDRESS.withTargetLayout(JAVA_INT));
        MemorySegment stub;
        try (AlignedArena arena = AlignedArena.ofConfined()) {
            stub = linker.upcallStub(compare, comparator, arena);
            MemorySegment array = arena.allocateFrom(JAVA_INT, 5, 3, 9, 1, 7);
            qsort.invokeExact(array, 5L, JAVA_INT.byteSize(), stub);
            assertThat(array.toArray(JAVA_INT)).containsExactly(1, 3, 5, 7, 9);
            assertThat((long) strlen.invokeExact(arena.allocateFrom("aligned"))).isEqualTo(7L);
        }
        assertThat(stub.scope().isAlive()).as("upcall stub freed with the arena").isFalse();
    }

    @Test
    void shouldBackChunksWithTransparentHugePagesWhenAsked() {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        long huge = SystemAlignment.transparentHugePageSize().orElseThrow();
        try (AlignedArena arena = AlignedArena.builder().transparentHugePages(true).chunkSize(8 * huge).confined()) {
            MemorySegment first = arena.allocate(64, 64);
            assertThat(first.address() % huge).as("chunk on a huge page boundary").isZero();
            MemorySegment buffer = arena.allocate(4 * huge, huge);
            assertThat(buffer.address() % huge).isZero();
            buffer.fill((byte) 1);
            assertThat(Backing.of(buffer).anonHugePages()).as("AnonHugePages of %s", Backing.of(buffer))
                    .isPositive();
            assertThat(arena.reservedBytes() % huge).isZero();
        }
    }

    static int compareInts(MemorySegment a, MemorySegment b) {
        return Integer.compare(a.get(JAVA_INT, 0), b.get(JAVA_INT, 0));
    }

    /** Writes the segment's index at its first and last bytes (all of it for small ones). */
    static void mark(MemorySegment segment, int index) {
        long size = segment.byteSize();
        if (size == 0) {
            return;
        }
        if (size <= 4 * KIB) {
            segment.fill((byte) (index + 1));
        } else {
            segment.set(JAVA_BYTE, 0, (byte) (index + 1));
            segment.set(JAVA_BYTE, size - 1, (byte) (index + 1));
        }
    }

    static void assertMarked(MemorySegment segment, int index) {
        long size = segment.byteSize();
        if (size == 0) {
            return;
        }
        byte mark = (byte) (index + 1);
        if (size <= 4 * KIB) {
            byte[] expected = new byte[(int) size];
            java.util.Arrays.fill(expected, mark);
            assertThat(segment.toArray(JAVA_BYTE)).as("segment %d", index).isEqualTo(expected);
        } else {
            assertThat(segment.get(JAVA_BYTE, 0)).as("first byte of segment %d", index).isEqualTo(mark);
            assertThat(segment.get(JAVA_BYTE, size - 1)).as("last byte of segment %d", index).isEqualTo(mark);
        }
    }

    /** Disjoint, and each still holds the mark of its index: nothing else was written over it. */
    static void assertDisjointAndMarked(List<MemorySegment> segments) {
        assertDisjoint(segments);
        for (int i = 0; i < segments.size(); i++) {
            assertMarked(segments.get(i), i);
        }
    }

    /** No two segments share a byte; empty segments count as one byte (their own address). */
    static void assertDisjoint(List<MemorySegment> segments) {
        List<MemorySegment> sorted = new ArrayList<>(segments);
        sorted.sort(Comparator.comparingLong(MemorySegment::address));
        for (int i = 1; i < sorted.size(); i++) {
            MemorySegment previous = sorted.get(i - 1);
            long previousEnd = previous.address() + Math.max(previous.byteSize(), 1);
            assertThat(sorted.get(i).address()).as("segment at 0x%x overlaps the one at 0x%x (%d bytes)",
                    sorted.get(i).address(), previous.address(), previous.byteSize())
                            .isGreaterThanOrEqualTo(previousEnd);
        }
    }
}
