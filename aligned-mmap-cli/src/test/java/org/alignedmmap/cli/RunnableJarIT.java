package org.alignedmmap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What {@code mvn package} leaves behind: the runnable jar works with {@code java -jar} and no
 * JVM flag (its manifest enables native access), the launcher script runs it on a JDK 25 it
 * finds by itself, and every jar of every module carries the licence.
 */
class RunnableJarIT {
    /** The project's root, seen from this module's directory (where failsafe runs the tests). */
    private static final Path ROOT = Path.of("..");

    static Path runnableJar() throws IOException {
        Path jar = Path.of("target", "aligned-mmap-cli-" + CliProcessTest.projectVersion() + "-all.jar");
        assertThat(jar).exists();
        return jar;
    }

    @Test
    void shouldRunWithoutFlagsOrWarnings() throws Exception {
        Path jar = runnableJar();
        CliProcessTest.Result r = CliProcessTest.java(List.of("-jar", jar.toString()), "info");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("Page size");
        assertThat(r.err()).doesNotContain("WARNING");
        assertThat(Files.size(jar)).isGreaterThan(100_000);
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.stream().map(e -> e.getName()))
                    .as("JMH (GPL-2.0 with the Classpath Exception) stays out of the tool")
                    .noneMatch(name -> name.startsWith("org/openjdk/jmh/")
                            || name.startsWith("org/alignedmmap/bench/jmh/"))
                    .contains("picocli/CommandLine.class", "org/alignedmmap/bench/Compare.class",
                            "org/alignedmmap/Mmap.class", "META-INF/LICENSE", "META-INF/NOTICE");
        }
    }

    @Test
    void shouldRunThroughTheLauncherOnAJdkItFindsByItself() throws Exception {
        // The launcher must find JDK 25 although JAVA_HOME is unset and the java on PATH (on this
        // machine kind: JDK 17) is too old; it must not rebuild the jar that was just built.
        ProcessBuilder launcher = new ProcessBuilder(ROOT.resolve("bin").resolve("aligned-mmap").toString(),
                "--version");
        Map<String, String> env = launcher.environment();
        env.remove("JAVA_HOME");
        env.remove("ALIGNED_MMAP_JAVA");
        env.put("ALIGNED_MMAP_NO_BUILD", "1");
        CliProcessTest.Result r = CliProcessTest.command(launcher);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("aligned-mmap " + CliProcessTest.projectVersion() + "\nJDK ");
        assertThat(r.err()).isEmpty();

        ProcessBuilder json = new ProcessBuilder(ROOT.resolve("bin").resolve("aligned-mmap").toString(), "info",
                "--json");
        json.environment().put("ALIGNED_MMAP_NO_BUILD", "1");
        CliProcessTest.Result info = CliProcessTest.command(json);
        assertThat(info.exit()).as(info.err()).isZero();
        assertThat(info.out()).as("only the JSON: no escape codes, no build output").startsWith("{").endsWith("}\n")
                .doesNotContain("\033");
    }

    @Test
    void shouldPutTheLicenceInEveryJar() throws Exception {
        byte[] licence = Files.readAllBytes(ROOT.resolve("LICENSE"));
        byte[] notice = Files.readAllBytes(ROOT.resolve("NOTICE"));
        List<Path> jars = new ArrayList<>();
        for (String module : List.of("aligned-mmap", "aligned-mmap-bench", "aligned-mmap-cli")) {
            Path target = ROOT.resolve(module).resolve("target");
            String base = module + "-" + CliProcessTest.projectVersion();
            for (String kind : List.of("", "-sources", "-javadoc")) {
                Path jar = target.resolve(base + kind + ".jar");
                assertThat(jar).as("mvn package makes %s", jar.getFileName()).exists();
                jars.add(jar);
            }
        }
        jars.add(runnableJar());
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile())) {
                assertThat(file.getEntry("META-INF/LICENSE")).as("META-INF/LICENSE in %s", jar).isNotNull();
                assertThat(file.getInputStream(file.getEntry("META-INF/LICENSE")).readAllBytes()).isEqualTo(licence);
                assertThat(file.getEntry("META-INF/NOTICE")).as("META-INF/NOTICE in %s", jar).isNotNull();
                assertThat(file.getInputStream(file.getEntry("META-INF/NOTICE")).readAllBytes()).isEqualTo(notice);
                if (jar.getFileName().toString().endsWith("-javadoc.jar")) {
                    String index = new String(file.getInputStream(file.getEntry("index-all.html")).readAllBytes(),
                            java.nio.charset.StandardCharsets.UTF_8);
                    assertThat(index).contains("Licensed under the Apache License, Version 2.0.");
                    try (Stream<String> pages = file.stream().map(e -> e.getName()).filter(n -> n.endsWith(".html"))) {
                        for (String page : pages.toList()) {
                            String html = new String(file.getInputStream(file.getEntry(page)).readAllBytes(),
                                    java.nio.charset.StandardCharsets.UTF_8);
                            assertThat(html).as("%s in %s", page, jar)
                                    .doesNotContainIgnoringCase("all rights reserved");
                        }
                    }
                }
            }
        }
    }
}
