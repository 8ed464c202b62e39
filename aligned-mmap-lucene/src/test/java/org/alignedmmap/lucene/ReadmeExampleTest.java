package org.alignedmmap.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code java} block of this module's README is a complete program: it compiles with {@code
 * -Xlint:all -Werror} against the test class path and its main method runs (in this JVM, which
 * has native access) without throwing; it asserts its own hit.
 */
class ReadmeExampleTest {
    private static final Path README = Path.of("README.md");

    @TempDir
    Path dir;

    @Test
    void theExampleCompilesAndRuns() throws Exception {
        List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
        int start = lines.indexOf("```java");
        assertThat(start).as("a ```java block in %s", README.toAbsolutePath()).isNotNegative();
        int end = lines.subList(start + 1, lines.size()).indexOf("```") + start + 1;
        String source = String.join("\n", lines.subList(start + 1, end)) + "\n";
        assertThat(source).contains("new AlignedMMapDirectory(path)");
        Path file = dir.resolve("Example.java");
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status = javac.run(null, null, null, "-Xlint:all", "-Werror", "-cp",
                System.getProperty("java.class.path"), "-d", dir.toString(), file.toString());
        assertThat(status).as("javac exit status").isZero();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                getClass().getClassLoader())) {
            Method main = loader.loadClass("Example").getMethod("main", String[].class);
            main.invoke(null, (Object) new String[0]);
        }
    }
}
