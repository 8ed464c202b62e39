package org.alignedmmap.bench.jmh;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.alignedmmap.Mmap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code get(long)} on one shared mapping, by one thread here and by two in {@link TwoThreads}:
 * the throughput of two should be at least 1.7x that of one, as it is for the raw segment
 * ({@code segmentGet}, the machine's ceiling). The index walks a 1 MiB window a cache line at a
 * time, so the figures are the call's cost, not memory's. Compare the ops/s of the two classes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Threads(1)
public class GetBenchmark {
    private static final long WINDOW = 1L << 20;
    private static final long STRIDE = 64;

    private Mmap mapping;
    private MemorySegment segment;

    /** Each thread's own index, so that threads share nothing but the mapping. */
    @State(Scope.Thread)
    public static class Cursor {
        long index;

        @Setup
        public void setUp() {
            index = Thread.currentThread().threadId() * 7_919L;
        }

        long next() {
            index++;
            return (index * STRIDE) & (WINDOW - 1);
        }
    }

    @Setup
    public void setUp() throws Exception {
        mapping = Mmap.options().anonymous(WINDOW);
        segment = mapping.segment();
    }

    @TearDown
    public void tearDown() {
        mapping.close();
    }

    @Benchmark
    public byte mmapGet(Cursor cursor) {
        return mapping.get(cursor.next());
    }

    @Benchmark
    public byte segmentGet(Cursor cursor) {
        return segment.get(JAVA_BYTE, cursor.next());
    }

    /** The same benchmarks with two threads on the one mapping. */
    @Threads(2)
    public static class TwoThreads extends GetBenchmark {
    }
}
