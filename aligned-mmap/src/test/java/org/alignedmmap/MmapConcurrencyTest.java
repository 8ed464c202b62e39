package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.alignedmmap.children.ConcurrentCloseChild;
import org.alignedmmap.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One thread closes a mapping while four others read, write, search, flush and advise it: the
 * others get {@link IllegalStateException} and nothing else, nobody touches unmapped memory (that
 * would crash the JVM), and afterwards the memory is unmapped and the descriptor closed. Runs in a
 * child JVM ({@link ConcurrentCloseChild}) so that a crash fails this test, not the suite.
 */
class MmapConcurrencyTest {
    /** How long the child stresses: a few seconds, as many rounds as fit. */
    private static final long STRESS_MILLIS = 3_000;

    @TempDir
    Path dir;

    @Test
    void shouldGiveOnlyIllegalStateExceptionToThreadsUsingAMapClosedUnderThem() throws Exception {
        ChildJvm.Result result = ChildJvm.run(ConcurrentCloseChild.class,
                List.of("--add-modules=jdk.incubator.vector", "-Xmx256m"), 120,
                dir.resolve("shared.bin").toString(), String.valueOf(STRESS_MILLIS));

        assertThat(result.exitCode()).as("child exit code; output:%n%s", result.output()).isZero();
        List<String> lines = result.lines();
        assertThat(lines).as("operations that threw something else than IllegalStateException, or "
                + "mappings and descriptors left after close").noneMatch(line -> line.startsWith("UNEXPECTED"));
        String alive = lines.stream().filter(line -> line.startsWith("ALIVE rounds=")).findFirst().orElseThrow(
                () -> new AssertionError("no ALIVE line:\n" + result.output()));
        int rounds = Integer.parseInt(alive.substring("ALIVE rounds=".length()));
        assertThat(rounds).as("rounds of close under load").isGreaterThanOrEqualTo(ConcurrentCloseChild.MIN_ROUNDS);
        // Every worker's round ends with the close; the close must really have hit running operations
        // of every kind of method, not found the workers idle.
        for (String op : List.of("get", "put", "find", "rfind", "flush", "advise", "fileSize", "backing",
                "residency", "seek+read", "seek+write", "channel read")) {
            assertThat(lines).as("some %s completed before a close", op)
                    .anyMatch(line -> line.startsWith("count ok " + op + " "));
        }
        long stopped = lines.stream().filter(line -> line.startsWith("count IllegalStateException "))
                .mapToLong(line -> Long.parseLong(line.substring(line.lastIndexOf(' ') + 1))).sum();
        assertThat(stopped).as("worker rounds ended by IllegalStateException").isEqualTo(4L * rounds);
    }
}
