package org.alignedmmap.cli;

import picocli.CommandLine.Option;

/** {@code --json}, shared by the reporting commands. */
final class JsonOption {
    @Option(names = "--json", description = "Print JSON instead of text, for scripts.")
    boolean enabled;
}
