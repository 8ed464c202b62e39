package org.alignedmmap.bench;

import java.io.PrintStream;

/** Progress lines while the comparison works, with the time since it started. */
final class Progress {
    private final PrintStream out;
    private final long start = System.nanoTime();

    Progress(PrintStream out) {
        this.out = out;
    }

    void section(String name) {
        out.printf("[%6.1fs] == %s%n", elapsed(), name);
        out.flush();
    }

    void step(String name) {
        out.printf("[%6.1fs]    %s%n", elapsed(), name);
        out.flush();
    }

    void note(String text) {
        out.printf("[%6.1fs]    note: %s%n", elapsed(), text);
        out.flush();
    }

    /** A progress line of a child JVM, marked with the child's name and this run's time. */
    void child(String name, String line) {
        out.printf("[%6.1fs]    [%s] %s%n", elapsed(), name, line.replaceFirst("^\\[ *[0-9.]+s\\] *", ""));
        out.flush();
    }

    double elapsed() {
        return (System.nanoTime() - start) / 1e9;
    }
}
