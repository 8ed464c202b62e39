package org.alignedmmap.testing;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code chattr +i/-i}: an immutable file is the one read-only file that root cannot open for
 * writing, which permission bits never achieve for root.
 */
public final class Chattr {
    private Chattr() {}

    /**
     * Runs {@code chattr change path}.
     *
     * @return true if it worked; false without chattr, root or a file system that supports it
     */
    public static boolean run(String change, Path path) throws InterruptedException {
        try {
            Process p = new ProcessBuilder("chattr", change, path.toString()).redirectErrorStream(true).start();
            // Every stream closed: tests count this process's descriptors afterwards.
            p.getOutputStream().close();
            p.getErrorStream().close(); // merged into the output by redirectErrorStream
            try (var out = p.getInputStream()) {
                out.readAllBytes();
            }
            return p.waitFor() == 0;
        } catch (IOException noChattr) {
            return false;
        }
    }
}
