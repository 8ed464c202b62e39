package org.alignedmmap.bench.jmh;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.alignedmmap.Aligned;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Allocate and free an aligned segment: Aligned.allocate against Arena.allocate. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class AllocateBenchmark {
    /** size:align pairs. */
    @Param({"64:64", "4096:4096", "1048576:2097152", "67108864:67108864"})
    public String shape;

    @Benchmark
    public long aligned() {
        String[] parts = shape.split(":");
        try (Arena arena = Arena.ofConfined()) {
            return Aligned.allocate(arena, Long.parseLong(parts[0]), Long.parseLong(parts[1])).address();
        }
    }

    @Benchmark
    public long arena() {
        String[] parts = shape.split(":");
        try (Arena arena = Arena.ofConfined()) {
            return arena.allocate(Long.parseLong(parts[0]), Long.parseLong(parts[1])).address();
        }
    }
}
