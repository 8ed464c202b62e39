package org.alignedmmap.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps a mapping's memory mapped while the library's own methods use it: every method that
 * touches the memory or asks the kernel about it brackets its work with {@link #enter()} and
 * {@link #exit(int)}; {@link #close(String)} and {@link #beginExclusive()} (resize) wait until no
 * such method is in flight, and methods that start later see the guard closed and throw instead
 * of touching the memory.
 *
 * <h2>Why not the JDK's shared arena, or a read-write lock</h2>
 * Closing a shared arena costs a handshake with every thread of the JVM (tens of microseconds),
 * which a mapping that nobody views through a segment need not pay; and on JDK 25 that close can
 * let an access already in flight touch the unmapped memory (JDK-8364167). A read-write lock is
 * safe but makes every reader write one shared word (a CAS): two threads reading one mapping
 * then take turns on that cache line and do less work together than one thread alone.
 *
 * <h2>How it works</h2>
 * Readers count themselves in one of several counters, each on its own pair of cache lines, the
 * counter picked by the thread's id; a thread increments and decrements the same counter, so two
 * threads contend only if their ids collide modulo the counter count (consecutive ids, as the JVM
 * hands them out, never do for fewer threads than counters). After incrementing, a reader reads
 * the state; the closer writes the state, then reads every counter. Both are volatile accesses,
 * so the Java memory model orders them totally: either the reader sees the new state and backs
 * out, or the closer sees the reader's count and waits for it (Dekker's argument). A confined
 * guard, whose mapping only its owner thread may use and close, needs no counting at all.
 *
 * <p>A thread must not enter twice before exiting (an operation must not call another guarded
 * operation): an exclusive section waiting for the thread's first entry would then never end.
 */
public final class AccessGuard {
    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);

    /**
     * Longs from one counter to the next: 128 bytes, because the adjacent-line prefetcher of x86
     * CPUs fetches cache lines in pairs, so counters one line apart would still share traffic.
     */
    private static final int STRIDE = 16;

    /** At least as many counters as hardware threads, so concurrent readers rarely share one. */
    private static final int COUNTERS = Integer.highestOneBit(Math.max(2,
            Runtime.getRuntime().availableProcessors() * 2 - 1)) << 1;

    /** Spins before a waiting closer starts to yield, then to park: operations are short. */
    private static final int SPINS = 1_000;

    private static final int OPEN = 0;
    private static final int EXCLUSIVE = 1;
    private static final int CLOSED = 2;

    /**
     * In-flight counts at {@link #STRIDE}, {@code 2 * STRIDE}, ... {@code COUNTERS * STRIDE}, with
     * {@link #STRIDE} longs of padding before the first and after the last: the array's header
     * (whose length every bounds check reads) and whatever object the heap puts next must not
     * share a pair of cache lines with a counter that a thread writes. Null for a confined guard.
     */
    private final long[] counts;
    /** The only thread allowed in, or null for a shared guard. */
    private final Thread owner;
    private volatile int state;
    /** Why the guard closed, for the exceptions of later entries; guarded by {@code this}. */
    private String closedBecause;

    private AccessGuard(Thread owner) {
        this.owner = owner;
        this.counts = owner == null ? new long[(COUNTERS + 2) * STRIDE] : null;
    }

    /**
     * Returns a guard any thread may enter and close.
     *
     * @return a new open guard
     */
    public static AccessGuard shared() {
        return new AccessGuard(null);
    }

    /**
     * Returns a guard only the current thread may enter and close.
     *
     * @return a new open guard confined to the current thread
     */
    public static AccessGuard confinedToCurrentThread() {
        return new AccessGuard(Thread.currentThread());
    }

    /**
     * Starts an operation: until {@link #exit(int)}, closing and exclusive sections wait.
     * Waits while an exclusive section runs.
     *
     * @return the ticket to pass to {@link #exit(int)}
     * @throws IllegalStateException if the guard is closed, with the reason it was closed for
     * @throws WrongThreadException if the guard is confined to another thread
     */
    public int enter() {
        if (owner != null) {
            if (Thread.currentThread() != owner) {
                throw new WrongThreadException("the mapping is confined to " + owner + ", not usable by "
                        + Thread.currentThread());
            }
            if (state != OPEN) {
                throw closed();
            }
            return 0;
        }
        int slot = (int) ((Thread.currentThread().threadId() & (COUNTERS - 1)) + 1) * STRIDE;
        COUNTS.getAndAdd(counts, slot, 1L);
        if (state == OPEN) {
            return slot;
        }
        COUNTS.getAndAdd(counts, slot, -1L);
        return enterAfterExclusive();
    }

    /**
     * Ends an operation started by {@link #enter()}.
     *
     * @param ticket what {@link #enter()} returned
     */
    public void exit(int ticket) {
        if (counts != null) {
            COUNTS.getAndAdd(counts, ticket, -1L);
        }
    }

    private int enterAfterExclusive() {
        synchronized (this) {
            while (state == EXCLUSIVE) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while the mapping was being resized", e);
                }
            }
            if (state == CLOSED) {
                throw closed();
            }
        }
        return enter();
    }

    /**
     * Tells whether the guard is closed.
     *
     * @return true after {@link #close(String)}
     */
    public boolean isClosed() {
        return state == CLOSED;
    }

    /**
     * Throws if the guard is closed, with the reason it was closed for.
     *
     * @throws IllegalStateException if closed
     */
    public void requireOpen() {
        if (state == CLOSED) {
            throw closed();
        }
    }

    /**
     * Throws unless the current thread may use the guard.
     *
     * @throws WrongThreadException if the guard is confined to another thread
     */
    public void checkThread() {
        checkOwner();
    }

    /**
     * Closes the guard and waits until no operation is in flight. Afterwards every {@link
     * #enter()} throws.
     *
     * @param reason the message of the exceptions later entries throw
     * @return false if the guard was closed already (nothing waited for)
     * @throws WrongThreadException if the guard is confined to another thread
     */
    public boolean close(String reason) {
        checkOwner();
        synchronized (this) {
            if (state == CLOSED) {
                return false;
            }
            closedBecause = reason;
            state = CLOSED;
            notifyAll();
        }
        awaitNoneInFlight();
        return true;
    }

    /**
     * Starts an exclusive section (a resize): waits until no operation is in flight, and makes
     * operations that start meanwhile wait for {@link #endExclusive()}.
     *
     * @throws IllegalStateException if the guard is closed
     * @throws WrongThreadException if the guard is confined to another thread
     */
    public void beginExclusive() {
        checkOwner();
        synchronized (this) {
            if (state != OPEN) {
                throw closed();
            }
            state = EXCLUSIVE;
        }
        awaitNoneInFlight();
    }

    /** Ends the exclusive section and lets waiting operations in. */
    public void endExclusive() {
        synchronized (this) {
            if (state == EXCLUSIVE) {
                state = OPEN;
            }
            notifyAll();
        }
    }

    private void awaitNoneInFlight() {
        if (counts == null) {
            return;
        }
        for (int slot = STRIDE; slot <= COUNTERS * STRIDE; slot += STRIDE) {
            int spins = 0;
            while ((long) COUNTS.getVolatile(counts, slot) != 0) {
                if (spins < SPINS) {
                    spins++;
                    Thread.onSpinWait();
                } else if (spins < 2 * SPINS) {
                    spins++;
                    Thread.yield();
                } else {
                    LockSupport.parkNanos(50_000);
                }
            }
        }
    }

    private void checkOwner() {
        if (owner != null && Thread.currentThread() != owner) {
            throw new WrongThreadException("the mapping is confined to " + owner + ", not usable by "
                    + Thread.currentThread());
        }
    }

    private IllegalStateException closed() {
        String reason;
        synchronized (this) {
            reason = closedBecause;
        }
        return new IllegalStateException(reason != null ? reason : "mmap closed or invalid");
    }
}
