package org.alignedmmap.bench.jmh;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Method;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.alignedmmap.Access;
import org.alignedmmap.Mmap;

/**
 * The search kernels side by side in one JVM, in alternating rounds, on the Compare harness's
 * 1 GiB text file (page-cached), with CPython 3.13's {@code mmap} run between the rounds on the
 * same file and the machine's read bandwidth (a plain sum of longs, and {@code MemorySegment.copy}
 * into a 1 MiB array) measured the same way beside them.
 *
 * <pre>{@code
 * java --enable-native-access=ALL-UNNAMED [--add-modules jdk.incubator.vector] \
 *      -cp aligned-mmap-bench/target/benchmarks.jar org.alignedmmap.bench.jmh.SearchRace \
 *      [--data DIR] [--size BYTES] [--rounds N] [--python PATH | --no-python]
 * }</pre>
 *
 * <p>Prints, per case and contender, the median GB/s over the rounds with the lowest and highest,
 * and the median of the per-round ratios to CPython (CPython's time / ours) with their range.
 * "Mmap" is the public API with the kernel the library chose for this JVM. Never used by a test:
 * a shared, noisy machine makes single figures meaningless, ratios within one round less so.
 */
public final class SearchRace {
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder
            .LITTLE_ENDIAN);
    private static final KernelHandles PORTABLE = KernelHandles.portable();
    private static final MethodHandle P_BYTE = PORTABLE.indexOfByte;
    private static final MethodHandle P_LAST_BYTE = PORTABLE.lastIndexOfByte;
    private static final MethodHandle P_NEEDLE = PORTABLE.indexOfNeedle;
    private static final MethodHandle P_LAST_NEEDLE = PORTABLE.lastIndexOfNeedle;
    private static final Optional<KernelHandles> VECTOR = KernelHandles.vector();
    private static final MethodHandle V_BYTE = VECTOR.map(k -> k.indexOfByte).orElse(P_BYTE);
    private static final MethodHandle V_LAST_BYTE = VECTOR.map(k -> k.lastIndexOfByte).orElse(P_LAST_BYTE);
    private static final MethodHandle V_NEEDLE = VECTOR.map(k -> k.indexOfNeedle).orElse(P_NEEDLE);
    private static final MethodHandle V_LAST_NEEDLE = VECTOR.map(k -> k.lastIndexOfNeedle).orElse(P_LAST_NEEDLE);

    private static volatile long sink;

    /** One search: a name, the needle, which way, and how CPython spells it. */
    private record Case(String name, byte[] needle, boolean reverse) {
        String python() {
            StringBuilder hex = new StringBuilder();
            for (byte b : needle) {
                hex.append(String.format("%02x", b));
            }
            return (reverse ? "r" : "") + ":" + hex;
        }
    }

    private interface Contender {
        long run(MemorySegment s, Mmap m, Case c) throws Throwable;
    }

    private SearchRace() {}

    public static void main(String[] args) throws Throwable {
        Path data = Path.of("aligned-mmap-bench/target/bench/data");
        long size = 1L << 30;
        int rounds = 7;
        String python = null;
        boolean noPython = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--size" -> size = Long.parseLong(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--python" -> python = args[++i];
                case "--no-python" -> noPython = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (python == null && !noPython) {
            python = pyenvPython();
        }
        Path file = textFile(data, size);
        List<Case> cases = List.of(
                new Case("find 1-byte absent", ascii("#"), false),
                new Case("rfind 1-byte absent", ascii("#"), true),
                new Case("find 8-byte absent", ascii("the#rest"), false),
                new Case("find 32-byte near-miss", ascii("the quick brown fox JUMPS over t"), false),
                new Case("rfind 8-byte absent", ascii("the#rest"), true),
                new Case("find 8-byte absent, common bytes only", ascii("the thet"), false),
                new Case("rfind 32-byte near-miss", ascii("the quick brown fox JUMPS over t"), true));
        Map<String, Contender> contenders = new LinkedHashMap<>();
        contenders.put("Mmap (" + org.alignedmmap.internal.ByteSearch.kernel() + ")", (s, m, c) ->
                c.reverse ? m.rfind(c.needle, 0) : m.find(c.needle, 0));
        contenders.put("portable kernel", (s, m, c) -> portable(s, c));
        if (VECTOR.isPresent()) {
            contenders.put("vector kernel", (s, m, c) -> vector(s, c));
        }
        contenders.put("long sum (read bandwidth)", (s, m, c) -> sum(s));
        contenders.put("copy to 1 MiB (read bandwidth)", (s, m, c) -> copy(s));

        Map<String, List<Double>> speeds = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        try (Mmap m = Mmap.options().access(Access.READ).map(file)) {
            MemorySegment s = m.segment();
            long n = s.byteSize();
            System.out.println("file " + file + " (" + n + " bytes); portable " + PORTABLE.name + "; vector "
                    + VECTOR.map(k -> k.name).orElse("absent") + "; Mmap uses "
                    + org.alignedmmap.internal.ByteSearch.kernel());
            // Warm-up: the whole file once (page cache, page tables), then enough calls for C2.
            sink = sum(s);
            MemorySegment head = s.asSlice(0, 1 << 22);
            for (int w = 0; w < 30; w++) {
                for (Case c : cases) {
                    for (Contender k : contenders.values()) {
                        sink = k.run(head, m, c) ^ 1;
                    }
                }
            }
            for (int round = 0; round < rounds; round++) {
                Map<String, Double> cpython = noPython ? Map.of() : cpython(python, file, cases);
                for (Case c : cases) {
                    for (Map.Entry<String, Contender> k : contenders.entrySet()) {
                        long t0 = System.nanoTime();
                        sink = k.getValue().run(s, m, c);
                        double gbs = n / (double) (System.nanoTime() - t0);
                        String key = c.name + " | " + k.getKey();
                        speeds.computeIfAbsent(key, x -> new ArrayList<>()).add(gbs);
                        Double py = cpython.get(c.python());
                        if (py != null) {
                            ratios.computeIfAbsent(key, x -> new ArrayList<>()).add(gbs / py);
                            speeds.computeIfAbsent(c.name + " | CPython", x -> new ArrayList<>());
                        }
                    }
                    Double py = cpython.get(c.python());
                    if (py != null) {
                        speeds.get(c.name + " | CPython").add(py);
                    }
                }
            }
        }
        System.out.printf("%-75s %22s %24s%n", "case | contender", "GB/s median [min-max]",
                "x CPython median [min-max]");
        for (Map.Entry<String, List<Double>> e : speeds.entrySet()) {
            List<Double> r = ratios.get(e.getKey());
            System.out.printf("%-75s %22s %24s%n", e.getKey(), spread(e.getValue(), "%.2f"),
                    r == null ? "" : spread(r, "%.2fx"));
        }
    }

    private static long portable(MemorySegment s, Case c) throws Throwable {
        long n = s.byteSize();
        if (c.needle.length == 1) {
            return c.reverse ? (long) P_LAST_BYTE.invokeExact(s, 0L, n, c.needle[0])
                    : (long) P_BYTE.invokeExact(s, 0L, n, c.needle[0]);
        }
        return c.reverse ? (long) P_LAST_NEEDLE.invokeExact(s, 0L, n, c.needle)
                : (long) P_NEEDLE.invokeExact(s, 0L, n, c.needle);
    }

    private static long vector(MemorySegment s, Case c) throws Throwable {
        long n = s.byteSize();
        if (c.needle.length == 1) {
            return c.reverse ? (long) V_LAST_BYTE.invokeExact(s, 0L, n, c.needle[0])
                    : (long) V_BYTE.invokeExact(s, 0L, n, c.needle[0]);
        }
        return c.reverse ? (long) V_LAST_NEEDLE.invokeExact(s, 0L, n, c.needle)
                : (long) V_NEEDLE.invokeExact(s, 0L, n, c.needle);
    }

    /**
     * Reads every word once: what reading the mapping costs with nothing else to do. Also the
     * {@code sum} row of {@link SearchKernelBenchmark}.
     */
    static long sum(MemorySegment s) {
        long total = 0;
        long n = s.byteSize() & ~4095L;
        for (long i = 0; i < n; i += 4096) {
            for (int k = 0; k < 4096; k += 8) {
                total += s.get(WORD, i + k);
            }
        }
        return total;
    }

    private static final byte[] COPY_BUFFER = new byte[1 << 20];

    private static long copy(MemorySegment s) {
        MemorySegment to = MemorySegment.ofArray(COPY_BUFFER);
        long n = s.byteSize() - s.byteSize() % COPY_BUFFER.length;
        for (long i = 0; i < n; i += COPY_BUFFER.length) {
            MemorySegment.copy(s, i, to, 0, COPY_BUFFER.length);
        }
        return COPY_BUFFER[17];
    }

    private static String spread(List<Double> values, String format) {
        if (values.isEmpty()) {
            return "";
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return String.format(format + " [" + format + "-" + format + "]", sorted.get(sorted.size() / 2),
                sorted.get(0), sorted.get(sorted.size() - 1));
    }

    /** CPython's find/rfind, each once, in GB/s by case; run between our rounds. */
    private static Map<String, Double> cpython(String python, Path file, List<Case> cases)
            throws IOException, InterruptedException {
        StringBuilder script = new StringBuilder("import mmap, sys, time\n"
                + "f = open(sys.argv[1], 'rb'); m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)\n"
                + "for spec in sys.argv[2:]:\n"
                + "    way, hexed = spec.split(':'); needle = bytes.fromhex(hexed)\n"
                + "    t = time.perf_counter(); (m.rfind if way == 'r' else m.find)(needle)\n"
                + "    print(spec, len(m) / (time.perf_counter() - t) / 1e9)\n");
        List<String> command = new ArrayList<>(List.of(python, "-c", script.toString(), file.toString()));
        for (Case c : cases) {
            command.add(c.python());
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("CPython failed: " + out);
        }
        Map<String, Double> result = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] parts = line.trim().split(" ");
            if (parts.length == 2) {
                result.put(parts[0], Double.parseDouble(parts[1]));
            }
        }
        return result;
    }

    private static String pyenvPython() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("pyenv", "prefix", "3.13.0").redirectErrorStream(true).start();
        String prefix = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.waitFor() == 0 && !prefix.isEmpty() ? prefix + "/bin/python3" : "python3";
    }

    /** The Compare harness's text file (same generator, same name), made if missing. */
    private static Path textFile(Path dir, long size) throws ReflectiveOperationException {
        Method text = Class.forName("org.alignedmmap.bench.TestData").getDeclaredMethod("text", Path.class,
                long.class);
        text.setAccessible(true);
        return (Path) text.invoke(null, dir, size);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
