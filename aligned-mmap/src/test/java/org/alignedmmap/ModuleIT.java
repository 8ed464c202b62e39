package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.alignedmmap.children.ModulePathChild;
import org.alignedmmap.testing.ChildJvm;
import org.junit.jupiter.api.Test;

/**
 * The packaged library jar as a module: the descriptor the jar carries (its name, its one exported
 * package, what it requires), no build files in the jar, and a JVM that loads it from the module
 * path and grants native access by the module's name runs it without a warning.
 */
class ModuleIT {
    private static final Path JAR = Path.of(System.getProperty("library.jar", "target/aligned-mmap.jar"));

    @Test
    void shouldDescribeTheModuleInTheJar() {
        ModuleReference reference = ModuleFinder.of(JAR).findAll().stream().findFirst().orElseThrow(
                () -> new AssertionError("no module in " + JAR));
        ModuleDescriptor descriptor = reference.descriptor();
        assertThat(descriptor.isAutomatic()).as("an explicit module-info, not an automatic module").isFalse();
        assertThat(descriptor.name()).isEqualTo("org.alignedmmap");
        assertThat(descriptor.exports()).map(ModuleDescriptor.Exports::source).containsExactly("org.alignedmmap");
        assertThat(descriptor.exports()).allMatch(e -> !e.isQualified(), "exported to everyone");
        assertThat(descriptor.packages()).contains("org.alignedmmap.internal", "org.alignedmmap.internal.linux");
        Set<String> required = descriptor.requires().stream().map(ModuleDescriptor.Requires::name)
                .collect(Collectors.toSet());
        assertThat(required).contains("java.base", "jdk.unsupported");
        assertThat(required).as("no incubator module named: javac would warn in every consumer's build")
                .doesNotContain("jdk.incubator.vector");
        assertThat(descriptor.opens()).as("nothing opened to reflection").isEmpty();
    }

    @Test
    void shouldShipNoBuildFiles() throws IOException {
        List<String> entries = new ArrayList<>();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            jar.stream().forEach(entry -> entries.add(entry.getName()));
        }
        assertThat(entries).contains("module-info.class", "org/alignedmmap/Mmap.class")
                .noneMatch(name -> name.equals("META-INF/jpms.args"))
                .allMatch(name -> name.equals("org/") || name.startsWith("org/alignedmmap/")
                        || name.startsWith("META-INF/") || name.equals("module-info.class"),
                        "only the library's classes and metadata");
    }

    @Test
    void shouldRunFromTheModulePathWithNativeAccessGrantedByName() throws Exception {
        assertThat(Files.isRegularFile(JAR)).as("the packaged jar %s", JAR).isTrue();
        ChildJvm.Result result = ChildJvm.runWithoutLibraryClasses(ModulePathChild.class,
                List.of("--module-path", JAR.toString(), "--add-modules", "org.alignedmmap",
                        "--enable-native-access=org.alignedmmap", "-Xmx64m"), 60);
        assertThat(result.exitCode()).as("child exit code; output:%n%s", result.output()).isZero();
        assertThat(result.lines()).contains("module org.alignedmmap", "native access true", "aligned true",
                "found 12345", "ALIVE");
        assertThat(result.output()).as("no restricted-method or other JVM warning").doesNotContain("WARNING");
    }
}
