package org.alignedmmap.testing;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.alignedmmap.Access;
import org.alignedmmap.Backing;
import org.alignedmmap.HugePages;
import org.alignedmmap.Mmap;
import org.alignedmmap.SystemAlignment;

/**
 * Files for the file huge page tests, written the ways users write them, and the precondition
 * of those tests: that this machine maps a file with huge pages at all.
 */
public final class FileThp {
    /** What most writers do: FileOutputStream, Files.write, Lucene's FSIndexOutput. */
    public static final int SMALL_WRITE = 8192;

    /** The answer of the probe, once: null until asked, then the reason to skip or "". */
    private static String skipReason;

    private FileThp() {}

    /** Writes {@code bytes} in {@link #SMALL_WRITE} pieces, leaving the page cache in small folios, dirty. */
    public static Path writeInSmallPieces(Path file, byte[] bytes) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int at = 0; at < bytes.length; at += SMALL_WRITE) {
                ByteBuffer piece = ByteBuffer.wrap(bytes, at, Math.min(SMALL_WRITE, bytes.length - at));
                while (piece.hasRemaining()) {
                    out.write(piece, piece.position()); // array offset = file offset
                }
            }
        }
        return file;
    }

    /**
     * Skips the calling test unless transparent huge pages are available and a file in {@code dir},
     * written in whole aligned huge pages and mapped with hugePages(TRANSPARENT), gets huge pages:
     * the file system and kernel must have large folios (ext4 on 6.16+, XFS).
     */
    public static long requireFileHugePages(Path dir) throws IOException {
        Skips.skipUnlessAvailable(HugePages.TRANSPARENT);
        long huge = HugePages.TRANSPARENT.pageSize();
        synchronized (FileThp.class) {
            if (skipReason == null) {
                skipReason = probe(dir, huge);
            }
        }
        Skips.skipUnless(skipReason.isEmpty(), skipReason);
        return huge;
    }

    private static String probe(Path dir, long huge) throws IOException {
        Path file = dir.resolve("probe-" + System.nanoTime() + ".bin");
        try {
            // One write per aligned huge page (not the library's stream, whose tests this decides).
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (long at = 0; at < 2 * huge; at += huge) {
                    ByteBuffer block = ByteBuffer.allocateDirect((int) huge);
                    while (block.hasRemaining()) {
                        out.write(block, at + block.position());
                    }
                }
            }
            try (Mmap m = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).map(file)) {
                for (long at = 0; at < m.length(); at += SystemAlignment.pageSize()) {
                    m.segment().get(JAVA_BYTE, at);
                }
                Backing b = m.backing();
                return b.filePmdMapped() > 0 ? "" : "a file in " + dir + " (" + Files.getFileStore(dir).type()
                        + ", Linux " + System.getProperty("os.version") + ") written in whole huge pages got none when"
                        + " mapped: " + b;
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
