package org.alignedmmap.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
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
 * {@code find}/{@code rfind} over 64 MiB of anonymous memory holding repeated English text, per
 * needle class. Run with and without {@code --add-modules jdk.incubator.vector} to compare the
 * two search kernels.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector"})
public class FindBenchmark {
    private static final int SIZE = 64 << 20;

    @Param({"#", "the#rest", "the quick brown fox JUMPS over t"})
    public String needle;

    private Mmap map;
    private byte[] bytes;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        map = Mmap.options().align(2L << 20).anonymous(SIZE);
        byte[] text = "the quick brown fox jumps over the lazy dog and then some more words\n"
                .getBytes(StandardCharsets.US_ASCII);
        for (long at = 0; at + text.length <= SIZE; at += text.length) {
            map.put(at, text);
        }
        bytes = needle.getBytes(StandardCharsets.US_ASCII);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        map.close();
    }

    @Benchmark
    public long find() {
        return map.find(bytes, 0);
    }

    @Benchmark
    public long rfind() {
        return map.rfind(bytes, 0);
    }
}
