package org.alignedmmap.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.store.MemorySegmentAccessInput;
import org.apache.lucene.store.RandomAccessInput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults and edge cases, each compared with what Lucene's {@link MMapDirectory} does on the same
 * file: closed inputs, clones of closed inputs, deleted and truncated files (in a child JVM), a
 * sparse file over 2 GiB, and how the files of a segment share one arena.
 */
class FaultTest {
    private Path folder;

    @BeforeEach
    void folder() throws IOException {
        folder = TestIndexFixture.newFolder("faults");
    }

    @AfterEach
    void delete() {
        TestIndexFixture.delete(folder);
    }

    private static void write(Directory dir, String name, int bytes) throws IOException {
        try (IndexOutput out = dir.createOutput(name, IOContext.DEFAULT)) {
            for (int i = 0; i < bytes; i++) {
                out.writeByte((byte) i);
            }
        }
    }

    /** The kind of exception a use of a closed input throws, for both directories. */
    @Test
    void closedInputsAndClonesThrowAlreadyClosedAsMMapDirectoryDoes() throws IOException {
        try (AlignedMMapDirectory ours = AlignedMMapDirectory.builder(folder).grouping(MMapDirectory.NO_GROUPING)
                .build(); MMapDirectory lucene = new MMapDirectory(folder)) {
            lucene.setGroupingFunction(MMapDirectory.NO_GROUPING);
            write(ours, "a.bin", 10_000);
            for (Directory dir : List.of(ours, lucene)) {
                IndexInput in = dir.openInput("a.bin", IOContext.DEFAULT);
                IndexInput clone = in.clone();
                IndexInput slice = in.slice("s", 100, 1000);
                in.close();
                in.close(); // idempotent
                assertThatThrownBy(in::readByte).as("%s", dir).isInstanceOf(AlreadyClosedException.class);
                assertThatThrownBy(() -> in.readBytes(new byte[4], 0, 4)).isInstanceOf(AlreadyClosedException.class);
                assertThatThrownBy(in::getFilePointer).isInstanceOf(AlreadyClosedException.class);
                assertThatThrownBy(in::clone).isInstanceOf(AlreadyClosedException.class);
                assertThatThrownBy(() -> in.slice("x", 0, 1)).isInstanceOf(AlreadyClosedException.class);
                // The file's only user closed it: its arena is closed, clones and slices see that.
                assertThatThrownBy(clone::readLong).as("%s", dir).isInstanceOf(AlreadyClosedException.class);
                assertThatThrownBy(() -> ((RandomAccessInput) slice).readInt(0))
                        .isInstanceOf(AlreadyClosedException.class);
            }
        }
    }

    @Test
    void readsPastTheEndThrowEofAndNegativePositionsIllegalArgument() throws IOException {
        try (AlignedMMapDirectory ours = new AlignedMMapDirectory(folder);
             IndexInput in = openWritten(ours, "b.bin", 100)) {
            in.seek(96);
            assertThatThrownBy(in::readLong).isInstanceOf(EOFException.class);
            assertThatThrownBy(() -> in.seek(101)).isInstanceOf(EOFException.class);
            assertThatThrownBy(() -> in.seek(-1)).isInstanceOf(IllegalArgumentException.class);
            RandomAccessInput random = (RandomAccessInput) in;
            assertThatThrownBy(() -> random.readLong(93)).isInstanceOf(EOFException.class);
            assertThatThrownBy(() -> random.readByte(-1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> in.slice("s", 50, 51)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static IndexInput openWritten(Directory dir, String name, int bytes) throws IOException {
        write(dir, name, bytes);
        return dir.openInput(name, IOContext.DEFAULT);
    }

    @Test
    void aDeletedFileStaysReadableWhileOpen() throws IOException {
        try (AlignedMMapDirectory ours = new AlignedMMapDirectory(folder);
             IndexInput in = openWritten(ours, "c.bin", 5000)) {
            ours.deleteFile("c.bin");
            assertThat(Files.exists(folder.resolve("c.bin"))).isFalse();
            in.seek(4000);
            assertThat(in.readByte()).isEqualTo((byte) 4000);
        }
    }

    /** SIGBUS on a truncated mapped file: an exception for both directories, never a dead JVM. */
    @Test
    void aTruncatedFileThrowsInternalErrorAsMMapDirectoryDoes() throws Exception {
        List<String> ours = runChild("aligned");
        List<String> lucene = runChild("lucene");
        assertThat(ours).contains("alive").anyMatch(l -> l.startsWith("threw java.lang.InternalError"));
        assertThat(ours.stream().filter(l -> l.startsWith("threw")).map(l -> l.substring(0, l.indexOf(':'))))
                .containsExactlyElementsOf(lucene.stream().filter(l -> l.startsWith("threw"))
                        .map(l -> l.substring(0, l.indexOf(':'))).toList());
        assertThat(lucene).contains("alive");
    }

    private List<String> runChild(String kind) throws Exception {
        Path sub = Files.createDirectories(folder.resolve(kind));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), TruncatedFileChild.class.getName(), sub.toString(), kind));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = child.getInputStream().readAllBytes();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as("child %s said:%n%s", kind, text).isZero();
        return text.lines().toList();
    }

    /** Over 2 GiB (Integer.MAX_VALUE) in one mapping: reads, slices and seeks across the limit. */
    @Test
    void aSparseFileOverTwoGibibytes() throws IOException {
        long length = (5L << 30) / 2 + 12_345;
        long limit = 1L << 31;
        try (RandomAccessFile file = new RandomAccessFile(folder.resolve("_0.big").toFile(), "rw")) {
            file.setLength(length);
            file.seek(limit - 4);
            file.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            file.seek(length - 8);
            file.writeLong(0x0102030405060708L); // big-endian on disk
        }
        try (AlignedMMapDirectory ours = new AlignedMMapDirectory(folder);
             IndexInput in = ours.openInput("_0.big", IOContext.DEFAULT)) {
            assertThat(in.length()).isEqualTo(length);
            RandomAccessInput random = (RandomAccessInput) in;
            assertThat(random.readLong(limit - 4)).isEqualTo(0x0807060504030201L);
            assertThat(random.readLong(length - 8)).isEqualTo(0x0807060504030201L);
            byte[] across = new byte[8];
            in.seek(limit - 4);
            in.readBytes(across, 0, 8);
            assertThat(across).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
            IndexInput slice = in.slice("tail", limit - 4, length - (limit - 4));
            assertThat(slice.readInt()).isEqualTo(0x04030201);
            MemorySegment segment = ((MemorySegmentAccessInput) in).segmentSliceOrNull(limit, 4);
            assertThat(segment.byteSize()).isEqualTo(4);
            in.seek(length);
            assertThatThrownBy(in::readByte).isInstanceOf(EOFException.class);
        }
    }

    /** A segment's files share one arena; it closes when the last of them does. */
    @Test
    void theFilesOfASegmentShareOneArena() throws IOException {
        try (AlignedMMapDirectory ours = new AlignedMMapDirectory(folder)) {
            write(ours, "_7.tim", 100);
            write(ours, "_7_Lucene104_0.doc", 100);
            write(ours, "_8.tim", 100);
            IndexInput a = ours.openInput("_7.tim", IOContext.DEFAULT);
            IndexInput b = ours.openInput("_7_Lucene104_0.doc", IOContext.DEFAULT);
            IndexInput c = ours.openInput("_8.tim", IOContext.DEFAULT);
            MemorySegment sa = ((MemorySegmentAccessInput) a).segmentSliceOrNull(0, 1);
            MemorySegment sb = ((MemorySegmentAccessInput) b).segmentSliceOrNull(0, 1);
            MemorySegment sc = ((MemorySegmentAccessInput) c).segmentSliceOrNull(0, 1);
            assertThat(sa.scope()).isEqualTo(sb.scope()).isNotEqualTo(sc.scope());
            a.close();
            assertThat(sb.scope().isAlive()).isTrue();
            assertThat(sa.get(AlignedIndexInput.BYTE, 0)).isZero(); // the group's memory lives on
            b.close();
            assertThat(sb.scope().isAlive()).isFalse();
            assertThat(sc.scope().isAlive()).isTrue();
            c.close();
            assertThat(sc.scope().isAlive()).isFalse();
        }
    }
}
