package org.alignedmmap.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** Waiting for what the garbage collector releases. */
public final class Gc {
    private Gc() {}

    /**
     * Asks for collections until {@code condition} holds, for up to 20 seconds.
     *
     * @return whether it came to hold
     */
    public static boolean eventually(BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            System.gc();
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }
}
