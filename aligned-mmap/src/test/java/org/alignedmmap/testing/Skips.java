package org.alignedmmap.testing;

import org.alignedmmap.HugePages;
import org.junit.jupiter.api.Assumptions;

/** Skipping a test for a reason of the system's, printed so that a skip is never silent. */
public final class Skips {
    private Skips() {}

    /** Skips the calling test unless {@code condition} holds, printing {@code reason}. */
    public static void skipUnless(boolean condition, String reason) {
        if (!condition) {
            System.out.println("SKIPPED " + caller() + ": " + reason);
            Assumptions.abort(reason);
        }
    }

    /** Skips the calling test unless the system can provide {@code hugePages}, printing why not. */
    public static void skipUnlessAvailable(HugePages hugePages) {
        String reason = hugePages.unavailableReason().orElse(null);
        skipUnless(reason == null, hugePages + ": " + reason);
    }

    private static String caller() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> !f.getClassName().equals(Skips.class.getName())
                        && f.getClassName().startsWith("org.alignedmmap."))
                .findFirst().map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1)
                        + "." + f.getMethodName()).orElse("?"));
    }
}
