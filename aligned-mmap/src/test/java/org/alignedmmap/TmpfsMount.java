package org.alignedmmap;

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
record TmpfsMount(Path path) implements AutoCloseable {
    /** Mounts a tmpfs at {@code path} (created if needed); null if that is not permitted here. */
    static TmpfsMount mount(Path path, String options) throws IOException, InterruptedException {
        Files.createDirectories(path);
        boolean mounted = Commands.run("mount", "-t", "tmpfs", "-o", options, "tmpfs", path.toString());
        return mounted ? new TmpfsMount(path) : null;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        // Lazy: a mapping the test leaked must not keep the mount point busy for the next test.
        if (!Commands.run("umount", "-l", path.toString())) {
            throw new IOException("umount -l " + path + " failed");
        }
    }
}
