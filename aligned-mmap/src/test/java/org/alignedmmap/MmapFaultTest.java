package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.alignedmmap.children.InaccessibleMappingChild;
import org.alignedmmap.children.MemoryLockLimitChild;
import org.alignedmmap.children.TruncatedFileChild;
import org.alignedmmap.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Faults that would kill the JVM if the library let them through, each provoked in a child JVM
 * so that a crash fails the test instead of killing the suite.
 *
 * <p>A file truncated under a live mapping: every operation that touches the lost pages must
 * throw {@link InternalError} (the JVM's translation of SIGBUS in Java code, which the caller can
 * catch), operations that only ask the kernel about the range (flush, advise, the file's size)
 * must work, and the JVM must live on; with the vector and the portable search kernel, shared and
 * copy-on-write, plain and aligned.
 *
 * <p>Memory without read or write rights: every access is refused with an exception instead of
 * a SIGSEGV.
 */
class MmapFaultTest {
    /** Operations that touch the bytes, in {@link TruncatedFileChild}. */
    private static final int TOUCHING = 27;
    private static final int KERNEL_ONLY = 3;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "vector kernel={0}, access={1}, align={2}")
    @CsvSource({"true, WRITE, 1", "false, WRITE, 1", "true, COPY, 67108864"})
    void shouldSurviveTruncationUnderEveryOperation(boolean vector, Access access, long align) throws Exception {
        List<String> options = new ArrayList<>(List.of("-Xmx256m"));
        options.add(vector ? "--add-modules=jdk.incubator.vector" : "-Dorg.alignedmmap.vector=false");
        ChildJvm.Result result = ChildJvm.run(TruncatedFileChild.class, options, 120,
                dir.resolve("victim.bin").toString(), access.name(), String.valueOf(align));

        assertThat(result.exitCode()).as("child exit code; output:%n%s", result.output()).isZero();
        assertThat(result.output()).contains("ALIVE");
        List<String> touching = result.lines().stream().filter(l -> l.startsWith("touch ")).toList();
        assertThat(touching).hasSize(TOUCHING);
        assertThat(touching).as("every operation on lost pages throws InternalError")
                .allMatch(line -> line.endsWith(": threw java.lang.InternalError"), "ends with InternalError");
        List<String> kernel = result.lines().stream().filter(l -> l.startsWith("kernel ")).toList();
        assertThat(kernel).hasSize(KERNEL_ONLY);
        assertThat(kernel).as("system calls on the range of lost pages work")
                .allMatch(line -> line.endsWith(": returned"), "ends with returned");
    }

    /**
     * RLIMIT_MEMLOCK: root is exempt through CAP_IPC_LOCK, so the child runs without it (setpriv
     * drops it from the bounding set) and locks memory with MAP_LOCKED beyond the limit. (lock()
     * of the huge-page work gets its cases when it lands; this checks the mapping path under the
     * same limit.)
     */
    @Test
    void shouldRefuseLockedMappingsBeyondRlimitMemlockAndLeaveNothingBehind() throws Exception {
        long limit = memlockLimit();
        assumeThat(limit).as("RLIMIT_MEMLOCK is unlimited").isPositive();
        assumeThat(Path.of("/usr/bin/setpriv")).as("setpriv (util-linux)").exists();
        ChildJvm.Result result = ChildJvm.run(List.of("/usr/bin/setpriv", "--bounding-set=-ipc_lock", "--"),
                MemoryLockLimitChild.class, List.of("-Xmx128m"), 120, dir.resolve("locked.bin").toString(),
                String.valueOf(limit));

        assertThat(result.exitCode()).as("child exit code; output:%n%s", result.output()).isZero();
        assertThat(result.output()).contains("ALIVE");
        List<String> cases = result.lines().stream().filter(l -> l.contains(": ok") || l.contains(": FAILED")).toList();
        assertThat(cases).hasSize(7).allMatch(line -> line.endsWith(": ok"), "ok");
    }

    /** The java launcher of this JVM, for tests that start child JVMs themselves (see {@link ChildJvm}). */
    static String javaExecutable() {
        return ChildJvm.javaExecutable();
    }

    private static long memlockLimit() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max locked memory")) {
                String soft = line.substring("Max locked memory".length()).strip().split("\\s+")[0];
                return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
            }
        }
        return -1;
    }

    @Test
    void shouldRefuseEveryAccessToMemoryWithoutReadOrWriteRights() throws Exception {
        ChildJvm.Result result = ChildJvm.run(InaccessibleMappingChild.class, List.of("-Xmx128m"), 120,
                dir.resolve("noaccess.bin").toString());

        assertThat(result.exitCode()).as("child exit code; output:%n%s", result.output()).isZero();
        assertThat(result.output()).contains("ALIVE");
        List<String> reads = result.lines().stream().filter(l -> l.startsWith("read ")).toList();
        assertThat(reads).hasSize(33).allMatch(line -> line.endsWith(": threw java.lang.UnsupportedOperationException"),
                "refused with UnsupportedOperationException");
        // Inaccessible is checked before read-only: one exception type for every access.
        List<String> writes = result.lines().stream().filter(l -> l.startsWith("write ")).toList();
        assertThat(writes).hasSize(18).allMatch(line -> line
                .endsWith(": threw java.lang.UnsupportedOperationException"),
                "refused with UnsupportedOperationException");
        List<String> kernel = result.lines().stream().filter(l -> l.startsWith("kernel ")).toList();
        assertThat(kernel).hasSize(9).allMatch(line -> line.endsWith(": returned"), "works");
    }
}
