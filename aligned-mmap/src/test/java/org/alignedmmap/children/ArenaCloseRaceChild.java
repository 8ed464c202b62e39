package org.alignedmmap.children;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.alignedmmap.AlignedArena;
import org.alignedmmap.testing.ProcStatus;

/**
 * Runs in a child JVM (see {@link AlignedArenaConcurrencyTest}): round after round, two worker
 * threads allocate from one shared AlignedArena and write and read a byte of each new segment,
 * while the main thread closes the arena after a random short delay. A worker's round ends with
 * the first exception, and {@link IllegalStateException} is the only one allowed; anything else
 * is printed as {@code UNEXPECTED}. After each round the main thread checks that the arena holds
 * nothing, refuses to allocate, and that every segment the workers got is dead. At the end it
 * prints how much the process's address space grew after warm-up (a chunk mapped after close
 * would leak there), counters, and {@code ALIVE}; a crash shows as the exit code.
 */
public final class ArenaCloseRaceChild {
    private static final int WORKERS = 2;
    /** Rounds before the address space is measured: the JIT and malloc have settled by then. */
    private static final int WARMUP_ROUNDS = 20;

    private static final LongAdder ALLOCATED = new LongAdder();
    private static final LongAdder STOPPED = new LongAdder();
    private static final List<String> UNEXPECTED = Collections.synchronizedList(new ArrayList<>());

    private static volatile AlignedArena arena;

    private ArenaCloseRaceChild() {}

    public static void main(String[] args) throws Exception {
        long millis = Long.parseLong(args[0]);
        CyclicBarrier start = new CyclicBarrier(WORKERS + 1);
        CyclicBarrier end = new CyclicBarrier(WORKERS + 1);
        List<List<MemorySegment>> got = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            List<MemorySegment> mine = new ArrayList<>();
            got.add(mine);
            long seed = w;
            Thread.ofPlatform().daemon().name("worker-" + w).start(() -> work(start, end, mine, seed));
        }
        SplittableRandom random = new SplittableRandom(42);
        long deadline = System.nanoTime() + millis * 1_000_000;
        long virtualAfterWarmup = 0;
        int rounds = 0;
        while (rounds < WARMUP_ROUNDS + 30 || System.nanoTime() < deadline) {
            arena = AlignedArena.ofShared();
            start.await();
            LockSupport.parkNanos(random.nextLong(50_000, 2_000_000));
            arena.close();
            end.await();
            check(arena, got);
            rounds++;
            if (rounds == WARMUP_ROUNDS) {
                virtualAfterWarmup = ProcStatus.kilobytes("VmSize");
            }
        }
        long grown = ProcStatus.kilobytes("VmSize") - virtualAfterWarmup;
        UNEXPECTED.forEach(u -> System.out.println("UNEXPECTED " + u));
        System.out.println("count allocated " + ALLOCATED.sum());
        System.out.println("count stopped " + STOPPED.sum());
        System.out.println("grown kB " + grown);
        System.out.println("ALIVE rounds=" + rounds);
    }

    private static void work(CyclicBarrier start, CyclicBarrier end, List<MemorySegment> mine, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        try {
            while (true) {
                start.await();
                mine.clear();
                AlignedArena current = arena;
                try {
                    while (true) {
                        MemorySegment segment = current.allocate(size(random), 1L << random.nextInt(17));
                        mine.add(segment);
                        ALLOCATED.increment();
                        if (segment.byteSize() > 0) {
                            long at = random.nextLong(segment.byteSize());
                            segment.set(ValueLayout.JAVA_BYTE, at, (byte) 7);
                            if (segment.get(ValueLayout.JAVA_BYTE, at) != 7) {
                                UNEXPECTED.add("byte written and read back differ");
                            }
                        }
                    }
                } catch (IllegalStateException closed) {
                    STOPPED.increment();
                } catch (Throwable t) {
                    UNEXPECTED.add(t.toString());
                }
                // The close's handshake may leave this thread's interrupt status set (JDK-8306324).
                Thread.interrupted();
                end.await();
            }
        } catch (Exception e) {
            UNEXPECTED.add("worker ended: " + e);
        }
    }

    /** Mostly small, now and then a chunk's worth, so that new chunks are mapped during the race. */
    private static long size(SplittableRandom random) {
        int kind = random.nextInt(100);
        return kind < 90 ? random.nextLong(0, 4_096) : kind < 99 ? random.nextLong(4_096, 200_000) : 3L << 20;
    }

    private static void check(AlignedArena closed, List<List<MemorySegment>> got) {
        if (closed.reservedBytes() != 0) {
            UNEXPECTED.add("reserved after close: " + closed.reservedBytes());
        }
        try {
            closed.allocate(8, 8);
            UNEXPECTED.add("allocate after close succeeded");
        } catch (IllegalStateException expected) {
            // as it must
        }
        for (List<MemorySegment> segments : got) {
            for (MemorySegment segment : segments) {
                if (segment.scope().isAlive()) {
                    UNEXPECTED.add("segment alive after close: " + segment);
                }
            }
        }
    }
}
