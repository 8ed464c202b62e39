package org.alignedmmap.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Files with known contents. */
public final class TestFiles {
    private TestFiles() {}

    /** Deterministic pseudo-random bytes. */
    public static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    /** Writes {@code size} pseudo-random bytes to a new file in {@code dir}. */
    public static Path randomFile(Path dir, String name, int size, long seed) throws IOException {
        return Files.write(dir.resolve(name), randomBytes(size, seed));
    }
}
