package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.alignedmmap.testing.Skips;
import org.junit.jupiter.api.Test;

/**
 * "Committed only when touched", with /proc/self/smaps as the witness: a chunk full of segments
 * is not resident until they are written, then exactly the written pages are, and alignment
 * padding never is.
 */
class AlignedArenaMemoryTest {
    private static final long PAGE = SystemAlignment.pageSize();
    /** One chunk large enough that its Rss cannot be mistaken for noise. */
    private static final long CHUNK = 64L << 20;

    @Test
    void shouldMakeOnlyTheWrittenPagesResident() throws Exception {
        List<AlignedArena> attempts = new ArrayList<>();
        try {
            MemorySegment chunk = isolatedChunk(attempts);
            AlignedArena arena = attempts.getLast();
            List<MemorySegment> buffers = new ArrayList<>();
            buffers.add(chunk.asSlice(0, PAGE));
            for (long at = PAGE; at < CHUNK; at += PAGE) {
                MemorySegment buffer = arena.allocate(PAGE, PAGE);
                assertThat(buffer.address()).as("buffers fill the chunk back to back").isEqualTo(chunk.address() + at);
                buffers.add(buffer);
            }
            assertThat(arena.reservedBytes()).isEqualTo(CHUNK);
            assertThat(Backing.of(chunk).rss()).as("Rss of %d buffers never written", buffers.size()).isZero();

            long written = 0;
            for (int i = 0; i < buffers.size(); i += 2) {
                buffers.get(i).fill((byte) 1);
                written += PAGE;
            }
            assertResident(chunk, written, "every other buffer written");
            for (int i = 1; i < buffers.size(); i += 2) {
                buffers.get(i).fill((byte) 2);
            }
            assertResident(chunk, CHUNK, "every buffer written");
        } finally {
            attempts.forEach(AlignedArena::close);
        }
    }

    @Test
    void shouldKeepAlignmentPaddingOutOfMemory() throws Exception {
        long align = 16 * PAGE;
        List<AlignedArena> attempts = new ArrayList<>();
        try {
            MemorySegment chunk = isolatedChunk(attempts);
            AlignedArena arena = attempts.getLast();
            chunk.asSlice(0, PAGE).fill((byte) 1);
            long count = 1;
            long end = chunk.address() + CHUNK;
            for (long at = Aligned.alignUp(chunk.address() + PAGE, align); at + PAGE <= end; at += align) {
                MemorySegment buffer = arena.allocate(PAGE, align);
                assertThat(buffer.address()).isEqualTo(at);
                buffer.fill((byte) 1);
                count++;
            }
            assertThat(arena.reservedBytes()).as("still one chunk").isEqualTo(CHUNK);
            // 64 MiB of address space holds the buffers and their padding; only the buffers are memory.
            assertResident(chunk, count * PAGE, count + " page buffers at " + align + "-byte alignment");
        } finally {
            attempts.forEach(AlignedArena::close);
        }
    }

    /**
     * A whole chunk, as a segment over all of it, whose VMA is its own: an anonymous mapping next
     * to a compatible one merges with it, and smaps then counts both. Arenas stay open (in {@code
     * attempts}) while looking, so the kernel cannot hand the same place out again.
     */
    private static MemorySegment isolatedChunk(List<AlignedArena> attempts) {
        for (int i = 0; i < 8; i++) {
            AlignedArena arena = AlignedArena.builder().chunkSize(CHUNK).confined();
            attempts.add(arena);
            // The first page-aligned allocation starts the chunk.
            MemorySegment first = arena.allocate(PAGE, PAGE);
            MemorySegment chunk = MemorySegment.ofAddress(first.address()).reinterpret(CHUNK);
            if (Backing.of(chunk).exact()) {
                return chunk;
            }
        }
        Skips.skipUnless(false, "every chunk merged with a neighbouring mapping; smaps cannot isolate it");
        throw new AssertionError("unreachable");
    }

    private static void assertResident(MemorySegment chunk, long written, String what) throws Exception {
        Backing backing = Backing.of(chunk);
        assertThat(backing.exact()).isTrue();
        long largest = AlignedReleaseTest.largestFaultWithoutAdvice();
        if (largest == PAGE) {
            assertThat(backing.rss()).as("Rss after %s", what).isEqualTo(written);
        } else {
            // (m)THP without madvise: a fault may make a larger page resident.
            assertThat(backing.rss()).as("Rss after %s", what).isBetween(written, Math.min(CHUNK,
                    written * largest / PAGE));
        }
    }
}
