package org.alignedmmap.testing;

import java.io.IOException;

/** Runs a system command for a test (chattr, mount) and tells whether it worked. */
public final class Commands {
    private Commands() {}

    /**
     * Runs {@code command} and waits for it.
     *
     * @return true if it exited with 0; false if it failed or does not exist here
     */
    public static boolean run(String... command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            // Every stream closed: tests count this process's descriptors afterwards.
            p.getOutputStream().close();
            p.getErrorStream().close(); // merged into the output by redirectErrorStream
            try (var out = p.getInputStream()) {
                out.readAllBytes();
            }
            return p.waitFor() == 0;
        } catch (IOException noCommand) {
            return false;
        }
    }
}
