package org.alignedmmap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The versions the README gives (Maven and Gradle coordinates, jar names) are this build's, so
 * that a release that changes the version cannot leave the README naming the old one.
 */
class ReadmeVersionTest {
    /** Coordinates and file names that carry a version: the version is group 1. */
    private static final Pattern VERSIONED = Pattern.compile(
            "org\\.alignedmmap:aligned-mmap(?:-cli)?:([0-9][^:\"\\s)`]*)"
                    + "|<version>([^<]+)</version>"
                    + "|aligned-mmap(?:-cli)?-([0-9][0-9A-Za-z.]*(?:-SNAPSHOT)?)(?:-all)?\\.jar");

    @Test
    void shouldGiveThisBuildsVersionEverywhere() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        List<String> versions = new ArrayList<>();
        Matcher m = VERSIONED.matcher(readme);
        while (m.find()) {
            versions.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
        }
        assertThat(versions).as("versions named in the README").hasSizeGreaterThanOrEqualTo(5)
                .containsOnly(CliProcessTest.projectVersion());
    }
}
