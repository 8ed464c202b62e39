package org.alignedmmap.bench;

/**
 * Times an action the way the CPython figures were taken, best of several runs, after a warm-up
 * long enough for the JIT to have compiled the code under test (at least {@link #warmupMillis}
 * of repeated runs, and at least two). Best-of is used for every contender alike; it measures
 * what the code can do rather than the noise of a shared machine.
 */
final class Timer {
    /** An action that may throw. */
    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    /** Set once by {@link Compare}: shorter for quick runs. */
    static volatile long warmupMillis = 1_000;

    private Timer() {}

    /**
     * Warms {@code action} up, then runs it {@code runs} times and returns the fastest.
     *
     * @return seconds of the fastest run
     */
    static double bestSeconds(int runs, Action action) throws Exception {
        return bestSeconds(runs, action, () -> { });
    }

    /**
     * As {@link #bestSeconds(int, Action)}, with an untimed {@code cleanup} after every run (for
     * peers that only the garbage collector can free).
     *
     * @return seconds of the fastest run
     */
    static double bestSeconds(int runs, Action action, Action cleanup) throws Exception {
        long warmupEnd = System.nanoTime() + warmupMillis * 1_000_000;
        int warmups = 0;
        long previous = Long.MAX_VALUE;
        long last = Long.MAX_VALUE;
        // Until the time is up and two runs in a row agree within 10%: the JIT has settled.
        while (warmups < 2 || System.nanoTime() < warmupEnd
                || (Math.abs(last - previous) > previous / 10 && warmups < 50)) {
            long start = System.nanoTime();
            action.run();
            previous = last;
            last = System.nanoTime() - start;
            cleanup.run();
            warmups++;
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            action.run();
            best = Math.min(best, System.nanoTime() - start);
            cleanup.run();
        }
        return best / 1e9;
    }

    /** Throughput in GB/s (10^9 bytes per second) for {@code bytes} processed per run. */
    static double gbPerSecond(long bytes, double seconds) {
        return bytes / seconds / 1e9;
    }
}
