package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.alignedmmap.children.UnsupportedPlatformChild;
import org.alignedmmap.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a system the library does not run on, every call that needs the system fails with one
 * clear {@link UnsupportedOperationException} naming the system, from the very first call on,
 * and questions with a natural "no" answer get it: no {@link ExceptionInInitializerError}, no
 * {@link NoClassDefFoundError}, nothing bound natively. The JVM is told it runs on macOS or on
 * another architecture ({@code -Dos.name}, {@code -Dos.arch}), which is what the library reads.
 */
class UnsupportedPlatformTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseEveryCallClearlyOnMacOs() throws Exception {
        Map<String, String> calls = run("-Dos.name=Mac OS X");
        String refusal = "threw java.lang.UnsupportedOperationException: aligned-mmap runs on Linux (x86-64, "
                + "AArch64, RISC-V 64); this is Mac OS X on ";
        for (String call : List.of("Mmap.options().anonymous", "Mmap.options().map", "Mmap.options().map(fd)",
                "Mmap.options().offset", "SystemAlignment.pageSize", "SystemAlignment.directIo", "Aligned.allocate",
                "Mmap.options().anonymous again")) {
            assertThat(calls.get(call)).as(call).startsWith(refusal);
        }
        assertThat(calls.get("HugePages.TRANSPARENT.isAvailable")).isEqualTo("returned false");
        assertThat(calls.get("HugePages.TRANSPARENT.unavailableReason"))
                .startsWith("returned Optional[aligned-mmap runs on Linux");
        assertThat(calls.get("Advice.WILLNEED.isSupported")).isEqualTo("returned false");
        assertThat(calls.get("SystemAlignment.transparentHugePages")).isEqualTo("returned UNSUPPORTED");
        assertThat(calls.get("SystemAlignment.hugePageSizes")).isEqualTo("returned []");
    }

    @Test
    void shouldRefuseLinuxOnAnArchitectureWithOtherConstants() throws Exception {
        // MIPS numbers MAP_ANONYMOUS and several errno values differently from the generic ABI.
        Map<String, String> calls = run("-Dos.arch=mips64");
        assertThat(calls.get("Mmap.options().anonymous")).startsWith(
                "threw java.lang.UnsupportedOperationException: aligned-mmap runs on Linux (x86-64, AArch64, "
                        + "RISC-V 64); this is Linux on mips64");
    }

    private Map<String, String> run(String property) throws Exception {
        ChildJvm.Result result = ChildJvm.run(UnsupportedPlatformChild.class, List.of(property, "-Xmx64m"), 60,
                dir.resolve("file.bin").toString());
        assertThat(result.exitCode()).as("child exit code; output:%n%s", result.output()).isZero();
        assertThat(result.output()).contains("ALIVE").doesNotContain("ExceptionInInitializerError")
                .doesNotContain("NoClassDefFoundError");
        return result.lines().stream().filter(line -> line.startsWith("call "))
                .collect(Collectors.toMap(line -> line.substring(5, line.indexOf(": ")),
                        line -> line.substring(line.indexOf(": ") + 2)));
    }
}
