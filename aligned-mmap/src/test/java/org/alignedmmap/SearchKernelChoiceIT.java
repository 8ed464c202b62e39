package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.alignedmmap.children.SearchKernelChoiceChild;
import org.alignedmmap.testing.ChildJvm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The search kernel the library picks at run time, in child JVMs: the Vector API kernel exactly
 * when the JVM has {@code jdk.incubator.vector} (on the class path and, through the module's
 * {@code addReads} of itself, on the module path, where the descriptor does not name the module),
 * the portable one otherwise or when {@code -Dorg.alignedmmap.vector=false} says so; and the one
 * log line naming the flag, once per JVM however many searches, only when the module is missing
 * and not ruled out.
 */
class SearchKernelChoiceIT {
    private static final Path JAR = Path.of(System.getProperty("library.jar", "target/aligned-mmap.jar"));
    private static final String MISSING = "Java vector incubator module is not readable";
    private static final String FLAG = "pass '--add-modules jdk.incubator.vector'";

    @ParameterizedTest(name = "module path={0}, vector module={1}, property={2}")
    @CsvSource({
        "false, false, ''",
        "false, true, ''",
        "false, true, -Dorg.alignedmmap.vector=false",
        "false, false, -Dorg.alignedmmap.vector=false",
        "true, false, ''",
        "true, true, ''",
        "true, true, -Dorg.alignedmmap.vector=false"})
    void shouldPickTheKernelTheJvmCanRunAndSayOnceWhenTheModuleIsMissing(boolean modulePath, boolean vectorModule,
                                                                         String property) throws Exception {
        List<String> options = new ArrayList<>(List.of("-Xmx64m"));
        if (vectorModule) {
            options.add("--add-modules=jdk.incubator.vector");
        }
        if (!property.isEmpty()) {
            options.add(property);
        }
        ChildJvm.Result result;
        if (modulePath) {
            options.addAll(List.of("--module-path", JAR.toString(), "--add-modules", "org.alignedmmap",
                    "--enable-native-access=org.alignedmmap",
                    "--add-exports", "org.alignedmmap/org.alignedmmap.internal=ALL-UNNAMED"));
            result = ChildJvm.runWithoutLibraryClasses(SearchKernelChoiceChild.class, options, 60);
        } else {
            result = ChildJvm.run(SearchKernelChoiceChild.class, options, 60);
        }

        assertThat(result.exitCode()).as("child exit code; output:%n%s", result.output()).isZero();
        assertThat(result.lines()).contains("found 70000 70000 70000", "ALIVE");
        boolean vector = vectorModule && property.isEmpty();
        String kernel = result.lines().stream().filter(l -> l.startsWith("kernel ")).findFirst().orElseThrow();
        assertThat(kernel).as(result.output()).startsWith(vector ? "kernel vector (" : "kernel swar (");
        long logged = result.lines().stream().filter(l -> l.contains(MISSING)).count();
        boolean told = !vectorModule && property.isEmpty();
        assertThat(logged).as("log lines naming the missing module; output:%n%s", result.output())
                .isEqualTo(told ? 1 : 0);
        if (told) {
            assertThat(result.output()).contains(FLAG);
        }
        assertThat(result.output()).as("no other library warning").doesNotContain("Vector search kernel unusable");
    }
}
