package org.alignedmmap.lucene;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.store.RandomAccessInput;

/**
 * Measures {@link AlignedMMapDirectory} against Lucene's {@link MMapDirectory} on the same files,
 * in one JVM, alternating rounds: read kernels on one 64 MiB file (sequential bytes and longs,
 * arrays of longs, ints and floats, random positional reads) and the open + close of the files
 * of many small segments. Prints, per case, the median over rounds of MMapDirectory's time
 * divided by ours (above 1: ours faster) with the range. Not a test: run it by hand,
 * {@code java -cp <test class path> org.alignedmmap.lucene.DirectoryComparison [rounds]}.
 */
public final class DirectoryComparison {
    private static final long FILE = 64L << 20;
    private static final int SEGMENTS = 100;
    private static final String[] EXTENSIONS = {".si", ".fnm", ".tim", ".tip", ".tmd", ".doc", ".pos", ".dvd",
        ".dvm", ".nvd", ".nvm", ".fdt"};

    private DirectoryComparison() {}

    /** One measured case: reads the file through an input, returns a checksum. */
    private interface Kernel {
        long run(IndexInput in) throws IOException;
    }

    /**
     * Runs the comparison.
     *
     * @param args optional: the number of rounds (default 7)
     * @throws IOException on any failure
     */
    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Path folder = TestIndexFixture.newFolder("compare");
        try (AlignedMMapDirectory ours = new AlignedMMapDirectory(folder);
             MMapDirectory lucene = new MMapDirectory(folder)) {
            writeFile(ours, "_0.bin", FILE);
            List<String> names = new ArrayList<>();
            for (int s = 0; s < SEGMENTS; s++) {
                for (String ext : EXTENSIONS) {
                    String name = "_" + Integer.toString(s + 1, 36) + ext;
                    writeFile(ours, name, 1000 + 37L * s);
                    names.add(name);
                }
            }
            long[] positions = new SplittableRandom(14).longs(1 << 20, 0, FILE - 8).toArray();
            compare("readByte sequential", rounds, ours, lucene, in -> {
                long sum = 0;
                for (long i = 0, n = in.length(); i < n; i++) {
                    sum += in.readByte();
                }
                return sum;
            });
            compare("readLong sequential", rounds, ours, lucene, in -> {
                long sum = 0;
                for (long i = 0, n = in.length() / 8; i < n; i++) {
                    sum += in.readLong();
                }
                return sum;
            });
            compare("readLongs(64) arrays", rounds, ours, lucene, in -> {
                long[] dst = new long[64];
                long sum = 0;
                for (long i = 0, n = in.length() / 512; i < n; i++) {
                    in.readLongs(dst, 0, 64);
                    sum += dst[7];
                }
                return sum;
            });
            compare("readInts(128) arrays", rounds, ours, lucene, in -> {
                int[] dst = new int[128];
                long sum = 0;
                for (long i = 0, n = in.length() / 512; i < n; i++) {
                    in.readInts(dst, 0, 128);
                    sum += dst[5];
                }
                return sum;
            });
            compare("readFloats(128) arrays", rounds, ours, lucene, in -> {
                float[] dst = new float[128];
                double sum = 0;
                for (long i = 0, n = in.length() / 512; i < n; i++) {
                    in.readFloats(dst, 0, 128);
                    sum += dst[3];
                }
                return (long) sum;
            });
            compare("readLong(pos) random", rounds, ours, lucene, in -> {
                RandomAccessInput r = (RandomAccessInput) in;
                long sum = 0;
                for (long p : positions) {
                    sum += r.readLong(p);
                }
                return sum;
            });
            compare("readByte(pos) random", rounds, ours, lucene, in -> {
                RandomAccessInput r = (RandomAccessInput) in;
                long sum = 0;
                for (long p : positions) {
                    sum += r.readByte(p);
                }
                return sum;
            });
            compareOpenClose(rounds, ours, lucene, names);
        } finally {
            TestIndexFixture.delete(folder);
        }
    }

    private static void writeFile(FSDirectory dir, String name, long length) throws IOException {
        byte[] chunk = new byte[1 << 16];
        new SplittableRandom(name.hashCode()).nextBytes(chunk);
        try (IndexOutput out = dir.createOutput(name, IOContext.DEFAULT)) {
            for (long done = 0; done < length; done += chunk.length) {
                out.writeBytes(chunk, (int) Math.min(chunk.length, length - done));
            }
        }
    }

    private static void compare(String what, int rounds, FSDirectory ours, FSDirectory lucene, Kernel kernel)
            throws IOException {
        try (IndexInput a = ours.openInput("_0.bin", IOContext.DEFAULT);
             IndexInput b = lucene.openInput("_0.bin", IOContext.DEFAULT)) {
            for (int warm = 0; warm < 3; warm++) {
                time(kernel, a);
                time(kernel, b);
            }
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                // Alternate which side goes first, so neither always runs on a warmer cache.
                long ta;
                long tb;
                if (r % 2 == 0) {
                    ta = time(kernel, a);
                    tb = time(kernel, b);
                } else {
                    tb = time(kernel, b);
                    ta = time(kernel, a);
                }
                ratios[r] = (double) tb / ta;
            }
            report(what, ratios);
        }
    }

    private static long sink;

    private static long time(Kernel kernel, IndexInput in) throws IOException {
        in.seek(0);
        long start = System.nanoTime();
        sink += kernel.run(in);
        return System.nanoTime() - start;
    }

    private static void compareOpenClose(int rounds, FSDirectory ours, FSDirectory lucene, List<String> names)
            throws IOException {
        for (int warm = 0; warm < 5; warm++) {
            openClose(ours, names);
            openClose(lucene, names);
        }
        double[] ratios = new double[rounds];
        long bestOurs = Long.MAX_VALUE;
        long bestLucene = Long.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long ta;
            long tb;
            if (r % 2 == 0) {
                ta = openClose(ours, names);
                tb = openClose(lucene, names);
            } else {
                tb = openClose(lucene, names);
                ta = openClose(ours, names);
            }
            bestOurs = Math.min(bestOurs, ta);
            bestLucene = Math.min(bestLucene, tb);
            ratios[r] = (double) tb / ta;
        }
        report("open+close " + names.size() + " files of " + SEGMENTS + " segments", ratios);
        System.out.printf(Locale.ROOT, "  per file, best round: ours %.2f us, MMapDirectory %.2f us%n",
                bestOurs / 1e3 / names.size(), bestLucene / 1e3 / names.size());
    }

    /** Opens every file of each segment, reads a byte of each, then closes the segment's files. */
    private static long openClose(FSDirectory dir, List<String> names) throws IOException {
        long start = System.nanoTime();
        IndexInput[] open = new IndexInput[EXTENSIONS.length];
        for (int s = 0; s < SEGMENTS; s++) {
            for (int f = 0; f < EXTENSIONS.length; f++) {
                open[f] = dir.openInput(names.get(s * EXTENSIONS.length + f), IOContext.DEFAULT);
                sink += open[f].readByte();
            }
            for (IndexInput in : open) {
                in.close();
            }
        }
        return System.nanoTime() - start;
    }

    private static void report(String what, double[] ratios) {
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%-44s MMapDirectory time / ours: median %.3f (min %.3f, max %.3f, %d rounds)%n",
                what, sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1], sorted.length);
    }
}
