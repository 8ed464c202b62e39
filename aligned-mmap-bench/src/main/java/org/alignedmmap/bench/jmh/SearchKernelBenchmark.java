package org.alignedmmap.bench.jmh;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.alignedmmap.Access;
import org.alignedmmap.Mmap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The portable search kernel on the Compare harness's page-cached text file (1 GiB by default,
 * {@code -p size=...}), next to the read bandwidth of a plain sum of the file's longs: the default
 * path, on a JVM without {@code jdk.incubator.vector}. {@link WithVectorModule} runs the same with
 * the module, where {@code find}/{@code rfind} take the vector kernel and {@code portable*} still
 * the portable one. Per operation the score is the time of one search of the whole file: GB/s =
 * size / time. {@link SearchRace} races the same contenders and CPython in alternating rounds in
 * one JVM, which is what a shared machine needs; this is for a quiet one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class SearchKernelBenchmark {
    private static final KernelHandles PORTABLE = KernelHandles.portable();
    private static final MethodHandle P_BYTE = PORTABLE.indexOfByte;
    private static final MethodHandle P_LAST_BYTE = PORTABLE.lastIndexOfByte;
    private static final MethodHandle P_NEEDLE = PORTABLE.indexOfNeedle;
    private static final MethodHandle P_LAST_NEEDLE = PORTABLE.lastIndexOfNeedle;

    /** Absent 1 byte, absent 8 bytes (rare '#'), the 32-byte near-miss, absent 8 common bytes. */
    @Param({"#", "the#rest", "the quick brown fox JUMPS over t", "the thet"})
    public String needle;

    @Param({"1073741824"})
    public long size;

    @Param({"aligned-mmap-bench/target/bench/data"})
    public String data;

    private Mmap map;
    private MemorySegment segment;
    private byte[] bytes;

    /** The same file as Compare's (TestData, reached by reflection: it is package-private there). */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Method text = Class.forName("org.alignedmmap.bench.TestData").getDeclaredMethod("text", Path.class,
                long.class);
        text.setAccessible(true);
        Path file = (Path) text.invoke(null, Path.of(data), size);
        map = Mmap.options().access(Access.READ).map(file);
        segment = map.segment();
        bytes = needle.getBytes(StandardCharsets.US_ASCII);
        sum(); // into the page cache and the page tables
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        map.close();
    }

    /** {@code Mmap.find} with the kernel the library chose for this JVM. */
    @Benchmark
    public long find() {
        return map.find(bytes, 0);
    }

    @Benchmark
    public long rfind() {
        return map.rfind(bytes, 0);
    }

    @Benchmark
    public long portableFind() throws Throwable {
        long n = segment.byteSize();
        return bytes.length == 1 ? (long) P_BYTE.invokeExact(segment, 0L, n, bytes[0])
                : (long) P_NEEDLE.invokeExact(segment, 0L, n, bytes);
    }

    @Benchmark
    public long portableRfind() throws Throwable {
        long n = segment.byteSize();
        return bytes.length == 1 ? (long) P_LAST_BYTE.invokeExact(segment, 0L, n, bytes[0])
                : (long) P_LAST_NEEDLE.invokeExact(segment, 0L, n, bytes);
    }

    /** The read bandwidth of a scalar loop: every long of the file summed, nothing else. */
    @Benchmark
    public long sum() {
        return SearchRace.sum(segment);
    }

    /** The same with {@code --add-modules jdk.incubator.vector}. */
    @Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g",
        "--add-modules=jdk.incubator.vector"})
    public static class WithVectorModule extends SearchKernelBenchmark {
    }
}
