package org.alignedmmap.testing;

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
        return Commands.run("chattr", change, path.toString());
    }
}
