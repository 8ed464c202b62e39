package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's module that {@code requires org.alignedmmap}, compiled against the packaged jar on the
 * module path with {@code -Xlint:all -Werror}: it must compile with no diagnostic at all, warning or note (the
 * library's descriptor once named {@code jdk.incubator.vector}, and javac warned about the
 * incubator in every consumer's build).
 */
class ConsumerModuleIT {
    private static final Path JAR = Path.of(System.getProperty("library.jar", "target/aligned-mmap.jar"));

    @TempDir
    Path dir;

    @Test
    void shouldCompileAConsumerModuleWithEveryLintAsAnError() throws IOException {
        assertThat(Files.isRegularFile(JAR)).as("the packaged jar %s", JAR).isTrue();
        Path src = dir.resolve("src/com.example.consumer");
        Files.createDirectories(src.resolve("com/example/consumer"));
        Files.writeString(src.resolve("module-info.java"),
                "module com.example.consumer {\n    requires org.alignedmmap;\n}\n");
        Files.writeString(src.resolve("com/example/consumer/Use.java"), """
                package com.example.consumer;

                import org.alignedmmap.Mmap;

                public final class Use {
                    private Use() {}

                    public static long find(byte b) throws java.io.IOException {
                        try (Mmap m = Mmap.options().anonymous(4096)) {
                            return m.find(new byte[] {b});
                        }
                    }
                }
                """);
        Path out = Files.createDirectories(dir.resolve("out"));
        // javac through java.base's ToolProvider: the tests are patched into the library's module,
        // which does not read java.compiler.
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow();
        StringWriter output = new StringWriter();
        StringWriter errors = new StringWriter();
        int status;
        try (PrintWriter o = new PrintWriter(output); PrintWriter e = new PrintWriter(errors)) {
            status = javac.run(o, e, "-Xlint:all", "-Werror", "--release", String.valueOf(Runtime.version().feature()),
                    "--module-path", JAR.toString(), "-d", out.toString(), src.resolve("module-info.java").toString(),
                    src.resolve("com/example/consumer/Use.java").toString());
        }
        assertThat(errors.toString()).as("javac's diagnostics").isEmpty();
        assertThat(output.toString()).as("javac's output").isEmpty();
        assertThat(status).as("javac's exit status").isZero();
        assertThat(out.resolve("com/example/consumer/Use.class")).isRegularFile();
    }
}
