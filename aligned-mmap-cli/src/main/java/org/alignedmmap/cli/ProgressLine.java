package org.alignedmmap.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * One line of progress on standard error, redrawn in place, for work that can take seconds
 * (touching gigabytes). Drawn only on a terminal: into a pipe or a file, or with {@code --json},
 * it prints nothing, so scripts read only the report.
 */
final class ProgressLine {
    /** Often enough to look alive, rarely enough that drawing costs nothing next to the work. */
    private static final long REDRAW_NANOS = 200_000_000L;

    /** Carriage return, then ANSI "erase to the end of the line": only ever sent to a terminal. */
    private static final String ERASE = "\r\033[K";

    private final PrintWriter err;
    private final boolean enabled;
    private final String label;
    private final long total;
    private long drawnAt;
    private boolean drawn;

    /**
     * Starts a progress line; nothing is drawn until the first {@link #update}.
     *
     * @param err where the line goes (standard error)
     * @param enabled whether to draw at all: on a terminal and not for {@code --json}
     * @param label what is being done, such as {@code "writing every byte"}
     * @param total the amount of work in bytes
     */
    ProgressLine(PrintWriter err, boolean enabled, String label, long total) {
        this.err = err;
        this.enabled = enabled;
        this.label = label;
        this.total = total;
    }

    /**
     * Redraws the line if the last drawing is old enough (always the first time).
     *
     * @param done the bytes done so far
     */
    void update(long done) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (drawn && now - drawnAt < REDRAW_NANOS) {
            return;
        }
        drawnAt = now;
        drawn = true;
        err.print(ERASE + String.format(Locale.ROOT, "%s: %s of %s (%.0f%%)", label, Sizes.format(done),
                Sizes.format(total), total == 0 ? 100.0 : 100.0 * done / total));
        err.flush();
    }

    /**
     * Draws a line of text in place, for work that cannot report how far it got (a single
     * system call).
     *
     * @param text what is being done
     */
    void show(String text) {
        if (enabled) {
            err.print(ERASE + text);
            err.flush();
            drawn = true;
        }
    }

    /** Erases the line, so that the report that follows starts on a clean line. */
    void finish() {
        if (drawn) {
            err.print(ERASE);
            err.flush();
            drawn = false;
        }
    }
}
