package org.alignedmmap.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tmpfs mounted for one test with the options it needs ({@code huge=...}), unmounted on close.
 * Needs root (CAP_SYS_ADMIN) and the {@code mount} command; {@link #mount} returns null where
 * either is missing, for the test to skip.
 *
 * @param path the mount point
 */
public record TmpfsMount(Path path) implements AutoCloseable {
    /** Mounts a tmpfs at {@code path} (created if needed); null if that is not permitted here. */
    public static TmpfsMount mount(Path path, String options) throws IOException, InterruptedException {
        Files.createDirectories(path);
        boolean mounted = Commands.run("mount", "-t", "tmpfs", "-o", options, "tmpfs", path.toString());
        return mounted ? new TmpfsMount(path) : null;
    }

    @Override
    public void close() throws IOException {
        // Lazy: a mapping the test leaked must not keep the mount point busy for the next test.
        boolean unmounted;
        try {
            unmounted = Commands.run("umount", "-l", path.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + path, e);
        }
        if (!unmounted) {
            throw new IOException("umount -l " + path + " failed");
        }
    }
}
