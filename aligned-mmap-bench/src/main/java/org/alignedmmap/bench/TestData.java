package org.alignedmmap.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * The files every contender works on: deterministic, made once and reused between runs.
 *
 * <p>The text file is lines of common English words (lowercase, spaces, newlines). Every 256
 * bytes or so it holds {@link #NEAR_MISS_TEXT}, which {@link #NEAR_MISS_NEEDLE} matches in its
 * first and last bytes and all but one byte between: the hard case for a search that filters on
 * first and last bytes, and for one that compares prefixes.
 */
final class TestData {
    /** Never in the text: the alphabet is a-z, space and newline. */
    static final byte[] ABSENT_1 = {'#'};
    /** Absent (it holds '#'), but starts and ends with common letters. */
    static final byte[] ABSENT_8 = "the#rest".getBytes(StandardCharsets.US_ASCII);
    static final byte[] NEAR_MISS_TEXT = "the quick brown fox jumps over t".getBytes(StandardCharsets.US_ASCII);
    static final byte[] NEAR_MISS_NEEDLE = "the quick brown fox JUMPS over t".getBytes(StandardCharsets.US_ASCII);

    private static final String[] WORDS = ("the of and to in is you that it he was for on are as with his they at be "
            + "this have from or one had by word but not what all were we when your can said there use an each which "
            + "she do how their if will up other about out many then them these so some her would make like him into "
            + "time has look two more write go see number no way could people my than first water been call who oil "
            + "its now find long down day did get come made may part").split(" ");

    private TestData() {}

    /**
     * Returns the text file of {@code size} bytes in {@code dir}, making it if needed.
     *
     * @throws IOException if it cannot be written
     */
    static Path text(Path dir, long size) throws IOException {
        Path file = dir.resolve("text-" + size + "-v1.txt");
        if (Files.exists(file) && Files.size(file) == size) {
            return file;
        }
        Files.createDirectories(dir);
        Path partial = dir.resolve(file.getFileName() + ".partial");
        SplittableRandom random = new SplittableRandom(20231125);
        byte[] chunk = new byte[1 << 20];
        try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long written = 0;
            int lineLength = 0;
            int sinceNearMiss = 0;
            while (written < size) {
                int n = 0;
                while (n < chunk.length) {
                    byte[] word = sinceNearMiss > 256 ? NEAR_MISS_TEXT
                            : WORDS[random.nextInt(WORDS.length)].getBytes(StandardCharsets.US_ASCII);
                    sinceNearMiss = word == NEAR_MISS_TEXT ? 0 : sinceNearMiss + word.length + 1;
                    if (n + word.length + 1 > chunk.length) {
                        while (n < chunk.length) {
                            chunk[n++] = ' ';
                        }
                        break;
                    }
                    System.arraycopy(word, 0, chunk, n, word.length);
                    n += word.length;
                    lineLength += word.length + 1;
                    boolean endLine = lineLength > 40 + random.nextInt(60);
                    chunk[n++] = (byte) (endLine ? '\n' : ' ');
                    if (endLine) {
                        lineLength = 0;
                    }
                }
                int take = (int) Math.min(chunk.length, size - written);
                ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, take);
                while (buffer.hasRemaining()) {
                    written += out.write(buffer, written);
                }
            }
        }
        Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    /**
     * Returns a file of {@code size} zero bytes (sparse), made if needed.
     *
     * @throws IOException if it cannot be written
     */
    static Path zeros(Path dir, String name, long size) throws IOException {
        Path file = dir.resolve(name + "-" + size + ".bin");
        if (!Files.exists(file) || Files.size(file) != size) {
            Files.createDirectories(dir);
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(ByteBuffer.wrap(new byte[1]), size - 1);
            }
        }
        return file;
    }

    /** Hex for the Python peer. */
    static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(String.format("%02x", b));
        }
        return s.toString();
    }
}
