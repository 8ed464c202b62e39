package org.alignedmmap.bench;

/** Keeps results alive so the JIT cannot drop the work that produced them. */
final class Sink {
    private static volatile long value;

    private Sink() {}

    static void consume(long v) {
        value += v;
    }

    static void consume(Object o) {
        value += System.identityHashCode(o);
    }

    static long value() {
        return value;
    }
}
