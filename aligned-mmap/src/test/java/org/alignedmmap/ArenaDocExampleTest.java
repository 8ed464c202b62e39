package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.alignedmmap.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AlignedArena example of the documentation compiles as it stands (imports, throws and all)
 * and prints what the README says it prints.
 */
class ArenaDocExampleTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final String CLASS = "ArenaExample";

    @TempDir
    Path dir;

    @Test
    void shouldCompileAndRunTheDocumentedExample() throws Exception {
        String source = example();
        Path file = Files.writeString(dir.resolve(CLASS + ".java"), source);
        // The javac next to this JVM's java: the test runs on the JDK 25 the build selected.
        Path javac = Path.of(ChildJvm.javaExecutable()).resolveSibling("javac");
        Process compile = new ProcessBuilder(javac.toString(), "-d", dir.toString(), "-cp",
                System.getProperty("java.class.path"), file.toString()).redirectErrorStream(true).start();
        String errors = new String(compile.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(compile.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(compile.exitValue()).as("javac: %s", errors).isZero();

        List<String> command = new ArrayList<>(List.of(ChildJvm.javaExecutable(), "--enable-native-access=ALL-UNNAMED",
                "-cp", dir + java.io.File.pathSeparator + System.getProperty("java.class.path"), CLASS));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("output: %s", output).isZero();
        assertThat(output.lines().toList()).containsExactly("0 0 0 hello 3 4",
                "67108864 bytes of address space reserved");
    }

    /** The java block that declares the example class, from the README or the section draft. */
    private static String example() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        for (Path doc : List.of(root.resolve("README.md"))) {
            if (!Files.exists(doc)) {
                continue;
            }
            Matcher blocks = JAVA_BLOCK.matcher(Files.readString(doc));
            while (blocks.find()) {
                if (blocks.group(1).contains("public class " + CLASS)) {
                    return blocks.group(1);
                }
            }
        }
        throw new AssertionError("no ```java block with public class " + CLASS
                + " in README.md"
                + " under " + root);
    }
}
