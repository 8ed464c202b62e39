package org.alignedmmap.bench.jmh;

import java.lang.foreign.Arena;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.alignedmmap.Access;
import org.alignedmmap.Mmap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Open, map and close a 1 MiB file: this library at several alignments, and FileChannel.map. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MapCloseBenchmark {
    @Param({"1", "2097152", "1073741824"})
    public long align;

    @Param({"true", "false"})
    public boolean confined;

    private Path file;

    @Setup
    public void setUp() throws Exception {
        file = Files.createTempFile("mapclose", ".bin");
        Files.write(file, new byte[1 << 20]);
    }

    @TearDown
    public void tearDown() throws Exception {
        Files.deleteIfExists(file);
    }

    @Benchmark
    public long mmap() throws Exception {
        try (Mmap m = Mmap.options().access(Access.READ).align(align).confined(confined).map(file)) {
            return m.address();
        }
    }

    @Benchmark
    public long fileChannelMap() throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             Arena arena = confined ? Arena.ofConfined() : Arena.ofShared()) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena).address();
        }
    }
}
