package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.alignedmmap.internal.NativeMemory;
import org.alignedmmap.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Alignment, exact size and zero fill of Aligned's memory, over sizes and alignments from 1 B to 1 GiB. */
class AlignedAllocationTest {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GIB = 1024 * MIB;

    /** Sizes around every boundary the strategies care about: pages, the mapping threshold, huge. */
    private static final long[] SIZES = {0, 1, 7, 64, PAGE - 1, PAGE + 1, 100_000,
            NativeMemory.MAPPING_THRESHOLD - 1, NativeMemory.MAPPING_THRESHOLD, MIB + 3, 64 * MIB, GIB};
    private static final long[] ALIGNS = {1, 2, 8, 16, 64, 256, 2048, PAGE, 64 * KIB, 2 * MIB, 64 * MIB, GIB};

    static Stream<Arguments> sizesAndAlignments() {
        List<Arguments> cases = new ArrayList<>();
        for (long size : SIZES) {
            for (long align : ALIGNS) {
                cases.add(Arguments.of(size, align));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "size={0}, align={1}")
    @MethodSource("sizesAndAlignments")
    void shouldAllocateExactlyTheSizeAtTheAlignmentZeroFilled(long size, long align) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = Aligned.allocate(arena, size, align);

            assertThat(segment.byteSize()).isEqualTo(size);
            assertThat(segment.address() % align).as("address 0x%x %% %d", segment.address(), align).isZero();
            assertThat(segment.address()).isNotZero();
            assertThat(segment.isNative()).isTrue();
            assertThat(segment.isReadOnly()).isFalse();
            assertThat(segment.scope()).isEqualTo(arena.scope());
            assertZeroFilled(segment);
            if (size > 0) {
                segment.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
                segment.set(ValueLayout.JAVA_BYTE, size - 1, (byte) 2);
                assertThat(segment.get(ValueLayout.JAVA_BYTE, size - 1)).isEqualTo((byte) 2);
            }
        }
    }

    @Test
    void shouldHandOutDistinctAddressesForEmptySegments() {
        try (Arena arena = Arena.ofConfined()) {
            for (long align : new long[] {1, 64, PAGE, 2 * MIB}) {
                MemorySegment a = Aligned.allocate(arena, 0, align);
                MemorySegment b = Aligned.allocate(arena, 0, align);
                assertThat(a.address()).as("align %d", align).isNotEqualTo(b.address());
                assertThat(a.address() % align).isZero();
                assertThat(b.address() % align).isZero();
                assertThat(a.byteSize()).isZero();
            }
        }
    }

    @ParameterizedTest(name = "size={0}")
    @ValueSource(longs = {8, 64, 1000, 4000, 65_536, 100_000})
    void shouldZeroRecycledMemoryOfTheSmallPath(long size) {
        // malloc hands back the chunks just freed: dirty them first, so that zeros prove zeroing.
        for (long align : new long[] {8, 64, 2048}) {
            for (int round = 0; round < 3; round++) {
                List<MemorySegment> dirty = new ArrayList<>();
                try (Arena arena = Arena.ofConfined()) {
                    for (int i = 0; i < 8; i++) {
                        MemorySegment segment = Aligned.allocate(arena, size, align);
                        segment.fill((byte) 0xA5);
                        dirty.add(segment);
                    }
                }
                try (Arena arena = Arena.ofConfined()) {
                    for (int i = 0; i < 8; i++) {
                        MemorySegment segment = Aligned.allocate(arena, size, align);
                        assertThat(segment.address() % align).isZero();
                        assertZeroFilled(segment);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "align={0}")
    @ValueSource(longs = {64L << 20, 1L << 30})
    void shouldAlignLargeAlignmentsEveryTimeNotByLuck(long align) {
        // The kernel puts large mappings on 2 MiB boundaries by itself; 64 MiB and 1 GiB it does not.
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < 32; i++) {
                long size = 1 + i * 3 * PAGE / 2;
                MemorySegment segment = Aligned.allocate(arena, size, align);
                assertThat(segment.address() % align).isZero();
                assertThat(segment.byteSize()).isEqualTo(size);
            }
        }
    }

    @Test
    void shouldAllocateDirectBuffersOfExactCapacityAtTheAlignment() {
        for (int align : new int[] {1, 16, 64, 512, (int) PAGE, 1 << 16, 2 << 20}) {
            for (int capacity : new int[] {0, 1, 100, (int) PAGE, 3 << 20}) {
                ByteBuffer buffer = Aligned.allocateDirect(capacity, align);
                assertThat(buffer.isDirect()).isTrue();
                assertThat(buffer.isReadOnly()).isFalse();
                assertThat(buffer.capacity()).isEqualTo(capacity);
                assertThat(buffer.position()).isZero();
                assertThat(buffer.limit()).isEqualTo(capacity);
                assertThat(buffer.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
                assertThat(Aligned.address(buffer) % align).as("capacity %d, align %d", capacity, align).isZero();
                assertThat(Aligned.isAligned(buffer, align)).isTrue();
                assertThat(buffer.alignmentOffset(0, Math.min(align, 8))).isZero();
                assertZeroFilled(MemorySegment.ofBuffer(buffer));
            }
        }
    }

    @Test
    void shouldBindDirectBuffersToTheCallersArena() {
        ByteBuffer buffer;
        try (Arena arena = Arena.ofConfined()) {
            buffer = Aligned.allocateDirect(arena, 4096, 2048);
            buffer.putLong(0, 42);
            assertThat(buffer.getLong(0)).isEqualTo(42);
        }
        assertThatThrownBy(() -> buffer.get(0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldCopySegmentsBuffersAndArraysToAlignedMemory() {
        byte[] bytes = TestFiles.randomBytes(10_000, 7);
        try (Arena arena = Arena.ofConfined()) {
            for (long align : new long[] {1, 64, PAGE, 2 * MIB}) {
                MemorySegment fromArray = Aligned.copyOf(bytes, align, arena);
                MemorySegment fromSegment = Aligned.copyOf(MemorySegment.ofArray(bytes), align, arena);
                ByteBuffer heap = ByteBuffer.wrap(bytes).position(100).limit(9_000);
                MemorySegment fromHeapBuffer = Aligned.copyOf(heap, align, arena);
                ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip().position(3)
                        .asReadOnlyBuffer();
                MemorySegment fromDirectBuffer = Aligned.copyOf(direct, align, arena);

                for (MemorySegment copy : List.of(fromArray, fromSegment, fromHeapBuffer, fromDirectBuffer)) {
                    assertThat(copy.address() % align).isZero();
                    assertThat(copy.isNative()).isTrue();
                    assertThat(copy.isReadOnly()).isFalse();
                }
                assertThat(fromArray.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(bytes);
                assertThat(fromSegment.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(bytes);
                assertThat(fromHeapBuffer.toArray(ValueLayout.JAVA_BYTE))
                        .isEqualTo(java.util.Arrays.copyOfRange(bytes, 100, 9_000));
                assertThat(fromDirectBuffer.toArray(ValueLayout.JAVA_BYTE))
                        .isEqualTo(java.util.Arrays.copyOfRange(bytes, 3, bytes.length));
                assertThat(heap.position()).isEqualTo(100);
                assertThat(heap.limit()).isEqualTo(9_000);
                assertThat(direct.position()).isEqualTo(3);

                // A copy, not a view: changing it leaves the source alone.
                fromArray.set(ValueLayout.JAVA_BYTE, 0, (byte) (bytes[0] + 1));
                assertThat(bytes[0]).isNotEqualTo(fromArray.get(ValueLayout.JAVA_BYTE, 0));
            }
            assertThat(Aligned.copyOf(new byte[0], 64, arena).byteSize()).isZero();
        }
    }

    @Test
    void shouldTellAddressesOfDirectBuffersAndNativeSegments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = Aligned.allocate(arena, 3 * PAGE, PAGE);
            ByteBuffer buffer = segment.asByteBuffer();
            assertThat(Aligned.address(segment)).isEqualTo(segment.address());
            assertThat(Aligned.address(buffer)).isEqualTo(segment.address());
            // The address of element 0, whatever the position.
            buffer.position(100);
            assertThat(Aligned.address(buffer)).isEqualTo(segment.address());
            assertThat(Aligned.address(buffer.slice())).isEqualTo(segment.address() + 100);
            assertThat(Aligned.isAligned(buffer.slice(), 4)).isTrue();
            assertThat(Aligned.isAligned(buffer.slice(), 8)).isFalse();
            assertThat(Aligned.isAligned(segment, PAGE)).isTrue();
            assertThat(Aligned.isAligned(segment.asSlice(64), 64)).isTrue();
            assertThat(Aligned.isAligned(segment.asSlice(64), 128)).isFalse();
        }
    }

    @Test
    void shouldRoundToMultiplesOfPowersOfTwo() {
        assertThat(Aligned.alignUp(0, 64)).isZero();
        assertThat(Aligned.alignUp(1, 64)).isEqualTo(64);
        assertThat(Aligned.alignUp(64, 64)).isEqualTo(64);
        assertThat(Aligned.alignUp(65, 64)).isEqualTo(128);
        assertThat(Aligned.alignUp(-65, 64)).isEqualTo(-64);
        assertThat(Aligned.alignUp(Long.MAX_VALUE, 1)).isEqualTo(Long.MAX_VALUE);
        assertThat(Aligned.alignUp(Long.MIN_VALUE + 1, 1L << 62)).isEqualTo(-(1L << 62));
        assertThat(Aligned.alignDown(127, 64)).isEqualTo(64);
        assertThat(Aligned.alignDown(-1, 64)).isEqualTo(-64);
        assertThat(Aligned.alignDown(Long.MAX_VALUE, 1L << 62)).isEqualTo(1L << 62);
        assertThat(Aligned.isAligned(1L << 40, 1L << 40)).isTrue();
        assertThat(Aligned.isAligned((1L << 40) + 8, 16)).isFalse();
        assertThat(Aligned.isAligned(12345, 1)).isTrue();
    }

    @Test
    void shouldRefuseToRoundPastTheEndOfALong() {
        assertThatThrownBy(() -> Aligned.alignUp(Long.MAX_VALUE, 2))
                .isInstanceOf(ArithmeticException.class)
                .hasMessageContaining(String.valueOf(Long.MAX_VALUE));
        assertThatThrownBy(() -> Aligned.alignUp(Long.MAX_VALUE - 100, 1L << 62))
                .isInstanceOf(ArithmeticException.class);
    }

    /** All bytes for segments up to 2 MiB; for larger ones the ends and one byte of every page. */
    static void assertZeroFilled(MemorySegment segment) {
        long size = segment.byteSize();
        if (size <= 2 * MIB) {
            assertThat(segment.mismatch(MemorySegment.ofArray(new byte[(int) size]))).as("first non-zero byte")
                    .isEqualTo(-1);
            return;
        }
        MemorySegment zeros = MemorySegment.ofArray(new byte[(int) (64 * KIB)]);
        assertThat(segment.asSlice(0, zeros.byteSize()).mismatch(zeros)).isEqualTo(-1);
        assertThat(segment.asSlice(size - zeros.byteSize()).mismatch(zeros)).isEqualTo(-1);
        // Reading untouched anonymous pages maps the shared zero page: no memory is spent.
        long stride = Math.max(PAGE, size / 4096);
        for (long offset = 0; offset < size; offset += stride) {
            assertThat(segment.get(ValueLayout.JAVA_BYTE, offset)).as("byte at %d", offset).isZero();
        }
    }
}
