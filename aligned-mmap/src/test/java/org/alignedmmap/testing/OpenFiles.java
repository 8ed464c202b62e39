package org.alignedmmap.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** /proc/self/fd as a witness: which descriptors of this process point at a file. */
public final class OpenFiles {
    private OpenFiles() {}

    /** How many descriptors of this process refer to {@code file}. */
    public static int descriptorsOf(Path file) {
        Path target = file.toAbsolutePath().normalize();
        int count = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    if (Path.of(Files.readSymbolicLink(fd).toString()).equals(target)) {
                        count++;
                    }
                } catch (IOException closedMeanwhile) {
                    // the stream's own descriptor, or one closed while listing
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return count;
    }

    /** How many descriptors this process has open. */
    public static long count() {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count() - 1; // minus the listing's own
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
