package org.alignedmmap.cli;

import java.util.Arrays;

/**
 * Times an operation the way a long-running program sees it: warm, after the JVM has loaded and
 * compiled the code and bound the system calls, and apart from the first call, which in a fresh
 * JVM costs thousands of times more (class loading, linking of the native calls). A figure that
 * mixes the two says nothing.
 */
final class WarmTimer {
    /** Long enough for the interpreter to hand the hot paths to the JIT compilers, short enough to
     *  keep the command quick. */
    private static final long WARMUP_NANOS = 100_000_000L;
    /** How long to measure after the warm-up. */
    private static final long MEASURE_NANOS = 200_000_000L;
    /** Calls per timed batch for quick operations: enough that reading the clock (some 20 ns)
     *  is noise next to them. */
    private static final int BATCH = 20;
    /** From this per-call time on, a call is timed alone: the clock's cost is noise already, and
     *  batches of slow calls (a JDK allocation of a gigabyte takes half a second) would take long. */
    private static final long ALONE_NANOS = 10_000;
    /** Upper bound on batches, so that very fast operations do not fill memory with samples. */
    private static final int MAX_BATCHES = 5_000;

    private WarmTimer() {}

    /** An operation to time. */
    interface Operation {
        void run() throws Exception;
    }

    /**
     * The first call's time and the warm median.
     *
     * @param firstNanos the first call, in a JVM where it had not run before
     * @param warmNanos the median over batches of warm calls, per call
     * @param warmCalls how many warm calls the median is taken over
     */
    record Timing(long firstNanos, double warmNanos, long warmCalls) {}

    /**
     * Runs {@code operation} once, then warms it up and times it in batches.
     *
     * @param operation what to time; it must leave nothing behind (allocate and free, for example)
     * @return the timing
     * @throws Exception whatever the operation throws; the first call's failure comes before any
     *     repetition
     */
    static Timing time(Operation operation) throws Exception {
        long start = System.nanoTime();
        operation.run();
        long first = System.nanoTime() - start;
        long fastest = first;
        long warmupEnd = System.nanoTime() + WARMUP_NANOS;
        while (System.nanoTime() < warmupEnd) {
            long callStart = System.nanoTime();
            operation.run();
            fastest = Math.min(fastest, System.nanoTime() - callStart);
        }
        int batch = fastest >= ALONE_NANOS ? 1 : BATCH;
        double[] perCall = new double[MAX_BATCHES];
        int batches = 0;
        long measureEnd = System.nanoTime() + MEASURE_NANOS;
        while (batches < MAX_BATCHES && (batches == 0 || System.nanoTime() < measureEnd)) {
            long batchStart = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                operation.run();
            }
            perCall[batches++] = (System.nanoTime() - batchStart) / (double) batch;
        }
        double[] sorted = Arrays.copyOf(perCall, batches);
        Arrays.sort(sorted);
        return new Timing(first, sorted[batches / 2], (long) batches * batch);
    }
}
