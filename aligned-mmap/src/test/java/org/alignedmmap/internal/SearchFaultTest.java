package org.alignedmmap.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.alignedmmap.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each search kernel over a mapped file truncated under it, in a child JVM ({@link
 * SearchFaultChild}): every search of the lost pages, forwards and backwards, for needles of 1 to
 * 40 bytes, throws {@link InternalError} (the JVM's translation of SIGBUS in Java code) and the
 * JVM lives on, with the vectorized loops compiled by C2. {@code MmapFaultTest} checks the same
 * through {@code Mmap}'s methods.
 */
class SearchFaultTest {
    @TempDir
    Path dir;

    @Test
    void shouldThrowInternalErrorFromEveryKernelOnLostPages() throws Exception {
        ChildJvm.Result result = ChildJvm.run(SearchFaultChild.class, List.of("-Xmx256m",
                "--add-modules=jdk.incubator.vector"), 180, dir.resolve("victim.bin").toString());

        assertThat(result.exitCode()).as("child exit code; output:%n%s", result.output()).isZero();
        assertThat(result.output()).contains("ALIVE");
        List<String> touching = result.lines().stream().filter(l -> l.startsWith("touch ")).toList();
        assertThat(touching).as(result.output()).hasSize(2 * 2 * 6);
        assertThat(touching).filteredOn(l -> l.startsWith("touch swar")).hasSize(12);
        assertThat(touching).filteredOn(l -> l.startsWith("touch vector")).hasSize(12);
        assertThat(touching).as("every search of lost pages throws InternalError")
                .allMatch(line -> line.endsWith(": threw java.lang.InternalError"), "ends with InternalError");
    }
}
