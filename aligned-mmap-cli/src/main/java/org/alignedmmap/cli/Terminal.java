package org.alignedmmap.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a standard stream goes to a terminal. {@code System.console()} cannot say it for one
 * stream (its {@code isTerminal()} looks at standard input and output together), and progress
 * goes to standard error while the report goes to standard output.
 */
final class Terminal {
    private Terminal() {}

    /**
     * Tells whether a file descriptor of this process is a terminal, from where {@code
     * /proc/self/fd/N} points.
     *
     * @param fd 1 for standard output, 2 for standard error
     * @return true for a pseudo-terminal or a console; false for pipes, files, sockets, or when
     *     procfs cannot tell
     */
    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(fd))).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException unknown) {
            return false;
        }
    }
}
