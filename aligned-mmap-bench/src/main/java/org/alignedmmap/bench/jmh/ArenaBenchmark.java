package org.alignedmmap.bench.jmh;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.alignedmmap.AlignedArena;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Allocations in one arena, then one close, per allocation: AlignedArena against the JDK's
 * confined arena. {@code write} fills every buffer once (page faults against malloc + memset).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ArenaBenchmark {
    /** Allocations per arena. */
    private static final int BATCH = 256;

    /** size:align pairs. */
    @Param({"64:64", "4096:4096", "1048576:2097152"})
    public String shape;

    @Param({"false", "true"})
    public boolean write;

    private long size;
    private long align;

    @Setup
    public void parse() {
        String[] parts = shape.split(":");
        size = Long.parseLong(parts[0]);
        align = Long.parseLong(parts[1]);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long alignedArena() {
        try (Arena arena = AlignedArena.ofConfined()) {
            return fill(arena);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long jdkArena() {
        try (Arena arena = Arena.ofConfined()) {
            return fill(arena);
        }
    }

    private long fill(Arena arena) {
        long sum = 0;
        for (int i = 0; i < BATCH; i++) {
            var segment = arena.allocate(size, align);
            if (write) {
                segment.fill((byte) 1);
            }
            sum += segment.address();
        }
        return sum;
    }
}
