package org.alignedmmap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.alignedmmap.Mmap;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of the README is a complete program, as a reader would paste it:
 * a compact source file or a class, imports and {@code throws} included. Each one compiles
 * against this library with {@code -Xlint:all -Werror}, and each one with a {@code main} method
 * runs in a child JVM, in an empty directory, and exits 0: so an example also creates what it
 * maps. New blocks are picked up by themselves.
 */
class ReadmeExamplesTest {
    /** The project's README, seen from this module's directory (where surefire runs the tests). */
    private static final Path README = Path.of("..", "README.md");

    /** A public top-level type at the start of a line: the file must carry its name. */
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "(?m)^public\\s+(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*"
                    + "(?:class|record|interface|enum)\\s+(\\w+)");
    /** Any top-level type at the start of a line. */
    private static final Pattern TYPE = Pattern.compile(
            "(?m)^(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*(?:class|record|interface|enum)\\s+(\\w+)");
    /** A main method at the start of a line, outside any class: a compact source file (JEP 512). */
    private static final Pattern TOP_LEVEL_MAIN = Pattern.compile("(?m)^(?:static\\s+)?void\\s+main\\s*\\(");

    @TempDir
    Path dir;

    /** One fenced {@code java} block: where it starts in the README and what it says. */
    record Block(int line, String source) {}

    /**
     * Finds the fenced blocks tagged {@code java}.
     *
     * @param markdown the document
     * @return the blocks, in order; {@code line} is the 1-based line of the block's first source line
     */
    static List<Block> javaBlocks(String markdown) {
        List<Block> blocks = new ArrayList<>();
        List<String> lines = markdown.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("```java")) {
                continue;
            }
            int start = i + 1;
            int end = start;
            while (end < lines.size() && !lines.get(end).strip().equals("```")) {
                end++;
            }
            blocks.add(new Block(start + 1, String.join("\n", lines.subList(start, end)) + "\n"));
            i = end;
        }
        return blocks;
    }

    /** The file name javac needs for a block, and the class to run. */
    record Unit(String fileName, String mainClass) {}

    static Unit unit(Block block, int index) {
        Matcher publicType = PUBLIC_TYPE.matcher(block.source());
        if (publicType.find()) {
            return new Unit(publicType.group(1) + ".java", publicType.group(1));
        }
        Matcher type = TYPE.matcher(block.source());
        if (!TOP_LEVEL_MAIN.matcher(block.source()).find() && type.find()) {
            return new Unit(type.group(1) + ".java", type.group(1));
        }
        // A compact source file's class is named after its file.
        String name = "ReadmeExample" + index;
        return new Unit(name + ".java", name);
    }

    @Test
    void shouldFindEveryJavaBlockAndNoOther() {
        String markdown = """
                Text.
                ```java
                void main() {}
                ```
                ```sh
                echo not java
                ```
                  ```java
                  class Indented {}
                  ```
                """;
        List<Block> blocks = javaBlocks(markdown);
        assertThat(blocks).extracting(Block::line).containsExactly(3, 9);
        assertThat(blocks.get(0).source()).isEqualTo("void main() {}\n");
        assertThat(unit(blocks.get(0), 1)).isEqualTo(new Unit("ReadmeExample1.java", "ReadmeExample1"));
        assertThat(unit(new Block(1, "public final class Demo {\n}\n"), 2)).isEqualTo(new Unit("Demo.java", "Demo"));
        assertThat(unit(new Block(1, "record Point(int x) {}\n"), 3)).isEqualTo(new Unit("Point.java", "Point"));
    }

    @TestFactory
    Stream<DynamicTest> everyJavaBlockOfTheReadmeCompilesAndRuns() throws IOException {
        List<Block> blocks = javaBlocks(Files.readString(README));
        assertThat(blocks).as("java blocks in %s", README.toAbsolutePath()).isNotEmpty();
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            Block block = blocks.get(i);
            Unit unit = unit(block, i + 1);
            tests.add(DynamicTest.dynamicTest("README.md line " + block.line() + " (" + unit.fileName() + ")",
                    () -> compileAndRun(block, unit)));
        }
        return tests.stream();
    }

    private void compileAndRun(Block block, Unit unit) throws Exception {
        Path work = Files.createDirectories(dir.resolve("line-" + block.line()));
        Path source = Files.writeString(work.resolve(unit.fileName()), block.source());
        Path classes = Files.createDirectories(work.resolve("classes"));
        String library = libraryLocation();
        assertThat(compile(source, classes, library, block.line())).as("javac -Xlint:all -Werror").isEmpty();
        if (!block.source().contains("void main(")) {
            return; // a class for the reader to use, not a program
        }
        Path cwd = Files.createDirectories(work.resolve("cwd"));
        List<String> command = List.of(javaExecutable(), "-ea", "--enable-native-access=ALL-UNNAMED", "-cp",
                classes + java.io.File.pathSeparator + library, unit.mainClass());
        CliProcessTest.Result run = CliProcessTest.command(new ProcessBuilder(command).directory(cwd.toFile()));
        assertThat(run.exit()).as("exit code of README.md line %d; stdout:%n%s%nstderr:%n%s", block.line(), run.out(),
                run.err()).isZero();
        assertThat(run.err()).as("stderr of README.md line %d", block.line()).doesNotContain("WARNING");
    }

    /**
     * Compiles one file the way the README's reader would, but with every lint warning an error.
     *
     * @return javac's diagnostics, with their lines as README lines; empty when it compiled clean
     */
    private static List<String> compile(Path source, Path classes, String classPath, int firstLine) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            List<String> options = List.of("-Xlint:all", "-Werror", "-proc:none", "-cp", classPath, "-d",
                    classes.toString());
            boolean ok = javac.getTask(null, files, diagnostics, options, null,
                    files.getJavaFileObjects(source)).call();
            List<String> messages = diagnostics.getDiagnostics().stream()
                    .map(d -> "README.md line " + (d.getLineNumber() == Diagnostic.NOPOS ? "?"
                            : String.valueOf(firstLine + d.getLineNumber() - 1)) + ": " + d.getKind() + ": "
                            + d.getMessage(Locale.ROOT))
                    .collect(Collectors.toCollection(ArrayList::new));
            if (!ok && messages.isEmpty()) {
                messages.add("javac failed without a diagnostic");
            }
            return messages;
        }
    }

    /** Where this module's classes are: the directory or jar the examples compile against. */
    private static String libraryLocation() throws URISyntaxException {
        return Path.of(Mmap.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

}
