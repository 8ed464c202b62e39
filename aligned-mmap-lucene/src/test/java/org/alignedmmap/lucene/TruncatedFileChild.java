package org.alignedmmap.lucene;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.store.MMapDirectory;

/**
 * Child JVM of {@link FaultTest}: writes a file through a directory, opens it, truncates it to
 * one page under the open input, reads past the cut and prints what the read threw. A SIGBUS
 * not turned into an exception would kill this JVM instead.
 *
 * <p>Arguments: the folder, then {@code aligned} or {@code lucene} for the directory to use.
 */
public final class TruncatedFileChild {
    private TruncatedFileChild() {}

    /**
     * Runs the case.
     *
     * @param args folder and directory kind
     * @throws Exception on any failure outside the read under test
     */
    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        boolean aligned = args[1].equals("aligned");
        try (FSDirectory dir = aligned ? new AlignedMMapDirectory(folder) : new MMapDirectory(folder)) {
            long length = 8L << 20;
            try (IndexOutput out = dir.createOutput("cut.bin", IOContext.DEFAULT)) {
                byte[] chunk = new byte[1 << 16];
                for (long done = 0; done < length; done += chunk.length) {
                    out.writeBytes(chunk, chunk.length);
                }
            }
            try (IndexInput in = dir.openInput("cut.bin", IOContext.DEFAULT)) {
                in.readLong();
                try (RandomAccessFile file = new RandomAccessFile(folder.resolve("cut.bin").toFile(), "rw")) {
                    file.setLength(4096);
                }
                try {
                    in.seek(length / 2);
                    long v = in.readLong();
                    System.out.println("read " + v);
                } catch (Throwable t) {
                    System.out.println("threw " + t.getClass().getName() + ": " + t.getMessage());
                }
                in.seek(0);
                System.out.println("first page still readable: " + in.readLong());
            }
            Files.delete(folder.resolve("cut.bin"));
        }
        System.out.println("alive");
    }
}
