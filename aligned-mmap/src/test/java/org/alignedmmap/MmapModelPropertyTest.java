package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random sequences of operations on a shared file mapping, checked step by step against a
 * simple model (the file's bytes, the length and the position), and the file checked against the
 * model at the end. jqwik shrinks a failing sequence to a minimal one.
 *
 * <p>The model follows CPython's mmap: out-of-range seeks, writes, moves and flushes are refused
 * and change nothing, reads past the end return what remains, find and rfind read start and end
 * as slice indices, resize keeps the contents up to the shorter length and the position. Every
 * step compares the outcome (result or exception type), then the mapping's length, position and
 * all its bytes, and that the address is still a multiple of the alignment; after each flush the
 * file (read through a fresh channel) must equal the model.
 *
 * <p>Positions in the operations are given relative to the current length (per mille, plus a
 * small delta that can go past either end), so that they stay meaningful while resizes change
 * the length, and shrink towards 0.
 */
class MmapModelPropertyTest {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final int MAX_LENGTH = (int) (3 * PAGE + 50);
    /** Few distinct values, so that searches find things and lines end now and then. */
    private static final Byte[] ALPHABET = {0, 1, '\n', 0x7f, (byte) 0xff};

    private static Path dir;

    @BeforeContainer
    static void createDirectory() throws IOException {
        dir = Files.createTempDirectory("mmap-model");
    }

    @AfterContainer
    static void deleteDirectory() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }

    /** The file as it should be, and the mapping's position. */
    static final class Model {
        byte[] data;
        long position;

        Model(byte[] data) {
            this.data = data;
        }

        int length() {
            return data.length;
        }
    }

    /** An index relative to the current length: {@code length * perMille / 1000 + delta}. */
    record At(int perMille, int delta) {
        long in(long length) {
            return length * perMille / 1000 + delta;
        }

        @Override
        public String toString() {
            return "@" + perMille + "‰" + (delta == 0 ? "" : (delta > 0 ? "+" : "") + delta);
        }
    }

    /** One step: applied to the mapping and to the model, each giving its outcome. */
    interface Op {
        String on(Mmap m) throws Exception;

        String on(Model model);
    }

    record Seek(At offset, Whence whence) implements Op {
        public String on(Mmap m) {
            return String.valueOf(m.seek(offset(m.length()), whence));
        }

        public String on(Model model) {
            long base = switch (whence) {
                case SET -> 0;
                case CURRENT -> model.position;
                case END -> model.length();
            };
            long target = base + offset(model.length());
            if (target < 0 || target > model.length()) {
                throw new IllegalArgumentException();
            }
            model.position = target;
            return String.valueOf(target);
        }

        /** Seeks from the current position or the end go backwards as well. */
        private long offset(long length) {
            return whence == Whence.SET ? offset.in(length) : offset.in(length) - length / 2;
        }
    }

    record Read(At count) implements Op {
        public String on(Mmap m) {
            return hex(m.read((int) count.in(m.length())));
        }

        public String on(Model model) {
            long n = count.in(model.length());
            long remaining = Math.max(0, model.length() - model.position);
            long take = n < 0 ? remaining : Math.min(n, remaining);
            byte[] bytes = Arrays.copyOfRange(model.data, (int) Math.min(model.position, model.length()),
                    (int) Math.min(model.position, model.length()) + (int) take);
            model.position += take;
            return hex(bytes);
        }
    }

    record ReadByte() implements Op {
        public String on(Mmap m) {
            return String.valueOf(m.readByte());
        }

        public String on(Model model) {
            if (model.position >= model.length()) {
                throw new IllegalArgumentException();
            }
            return String.valueOf(Byte.toUnsignedInt(model.data[(int) model.position++]));
        }
    }

    record ReadLine() implements Op {
        public String on(Mmap m) {
            return hex(m.readLine());
        }

        public String on(Model model) {
            if (model.position >= model.length()) {
                return hex(new byte[0]);
            }
            int start = (int) model.position;
            int end = start;
            while (end < model.length() && model.data[end] != '\n') {
                end++;
            }
            end = Math.min(end + 1, model.length());
            model.position = end;
            return hex(Arrays.copyOfRange(model.data, start, end));
        }
    }

    record Write(byte[] bytes) implements Op {
        public String on(Mmap m) {
            return String.valueOf(m.write(bytes));
        }

        public String on(Model model) {
            if (model.position > model.length() || model.length() - model.position < bytes.length) {
                throw new IllegalArgumentException();
            }
            System.arraycopy(bytes, 0, model.data, (int) model.position, bytes.length);
            model.position += bytes.length;
            return String.valueOf(bytes.length);
        }

        @Override
        public String toString() {
            return "Write[" + hex(bytes) + "]";
        }
    }

    record WriteByte(int value) implements Op {
        public String on(Mmap m) {
            m.writeByte(value);
            return "";
        }

        public String on(Model model) {
            if (model.position >= model.length()) {
                throw new IllegalArgumentException();
            }
            model.data[(int) model.position++] = (byte) value;
            return "";
        }
    }

    record Move(At dest, At src, At count) implements Op {
        public String on(Mmap m) {
            long length = m.length();
            m.move(dest.in(length), src.in(length), count.in(length) / 4);
            return "";
        }

        public String on(Model model) {
            long length = model.length();
            long d = dest.in(length);
            long s = src.in(length);
            long n = count.in(length) / 4;
            if (n < 0 || s < 0 || d < 0 || length - d < n || length - s < n) {
                throw new IllegalArgumentException();
            }
            System.arraycopy(model.data, (int) s, model.data, (int) d, (int) n);
            return "";
        }
    }

    record Find(byte[] sub, At start, At end, boolean reverse) implements Op {
        public String on(Mmap m) {
            long length = m.length();
            return String.valueOf(reverse ? m.rfind(sub, start.in(length), end.in(length))
                    : m.find(sub, start.in(length), end.in(length)));
        }

        public String on(Model model) {
            int length = model.length();
            return search(model.data, sub, slice(start.in(length), length), slice(end.in(length), length), reverse);
        }

        /** The lowest (or highest) i in [from, to - sub.length] where sub lies; -1 if none or from > to. */
        static String search(byte[] data, byte[] sub, long from, long to, boolean reverse) {
            long found = -1;
            for (long i = from; i + sub.length <= to; i++) {
                if (Arrays.equals(data, (int) i, (int) i + sub.length, sub, 0, sub.length)) {
                    found = i;
                    if (!reverse) {
                        break;
                    }
                }
            }
            return String.valueOf(found);
        }

        static long slice(long index, long length) {
            return index < 0 ? Math.max(index + length, 0) : Math.min(index, length);
        }

        @Override
        public String toString() {
            return (reverse ? "RFind[" : "Find[") + hex(sub) + ", " + start + ", " + end + "]";
        }
    }

    /** find(sub) from the position, which a resize may have left past the end. */
    record FindFromPosition(byte[] sub) implements Op {
        public String on(Mmap m) {
            return String.valueOf(m.find(sub));
        }

        public String on(Model model) {
            return Find.search(model.data, sub, Find.slice(model.position, model.length()), model.length(), false);
        }

        @Override
        public String toString() {
            return "FindFromPosition[" + hex(sub) + "]";
        }
    }

    record Resize(long newLength) implements Op {
        public String on(Mmap m) throws Exception {
            m.resize(newLength);
            return "";
        }

        public String on(Model model) {
            if (newLength <= 0) {
                throw new IllegalArgumentException();
            }
            model.data = Arrays.copyOf(model.data, (int) newLength);
            return "";
        }
    }

    record Flush(At offset, At size) implements Op {
        public String on(Mmap m) throws Exception {
            long length = m.length();
            m.flush(offset.in(length), size.in(length) / 2);
            return "";
        }

        public String on(Model model) {
            long length = model.length();
            long o = offset.in(length);
            long s = size.in(length) / 2;
            if (s < 0 || o < 0 || length - o < s) {
                throw new IllegalArgumentException();
            }
            return "";
        }
    }

    record Put(At index, byte[] bytes) implements Op {
        public String on(Mmap m) {
            long at = index.in(m.length());
            if (bytes.length == 1) {
                m.put(at, bytes[0]);
            } else {
                m.put(at, bytes);
            }
            return "";
        }

        public String on(Model model) {
            long at = index.in(model.length());
            if (at < 0 || at > model.length() - bytes.length || (bytes.length == 1 && at >= model.length())) {
                throw new IndexOutOfBoundsException();
            }
            System.arraycopy(bytes, 0, model.data, (int) at, bytes.length);
            return "";
        }

        @Override
        public String toString() {
            return "Put[" + index + ", " + hex(bytes) + "]";
        }
    }

    record Get(At index, int count) implements Op {
        public String on(Mmap m) {
            long at = index.in(m.length());
            return count == 1 ? String.valueOf(m.get(at)) : hex(m.getBytes(at, count));
        }

        public String on(Model model) {
            long at = index.in(model.length());
            if (at < 0 || at > model.length() - count || at >= model.length() && count == 1) {
                throw new IndexOutOfBoundsException();
            }
            return count == 1 ? String.valueOf(model.data[(int) at])
                    : hex(Arrays.copyOfRange(model.data, (int) at, (int) at + count));
        }
    }

    @Property(tries = 1000)
    void shouldBehaveLikeTheModelStepByStepAndLeaveTheModelInTheFile(
            @ForAll("contents") Contents contents, @ForAll("alignments") long align,
            @ForAll("operations") List<Op> ops) throws Exception {
        byte[] initial = contents.bytes();
        Path file = Files.write(Files.createTempFile(dir, "model", ".bin"), initial);
        Model model = new Model(initial.clone());
        try {
            try (Mmap m = Mmap.options().align(align).map(file)) {
                for (int step = 0; step < ops.size(); step++) {
                    Op op = ops.get(step);
                    String actual = outcome(() -> op.on(m));
                    String expected = outcome(() -> op.on(model));
                    String where = "step " + step + " " + op;
                    assertThat(actual).as("outcome of %s", where).isEqualTo(expected);
                    assertThat(m.length()).as("length after %s", where).isEqualTo(model.length());
                    assertThat(m.position()).as("position after %s", where).isEqualTo(model.position);
                    assertThat(m.getBytes(0, model.length())).as("bytes after %s", where).isEqualTo(model.data);
                    assertThat(m.address() % align).as("alignment after %s", where).isZero();
                    if (op instanceof Flush && !actual.startsWith("threw")) {
                        assertThat(readFile(file)).as("the file after %s", where).isEqualTo(model.data);
                    }
                }
            }
            assertThat(readFile(file)).as("the file after close").isEqualTo(model.data);
        } finally {
            Files.delete(file);
        }
    }

    /** The initial file: {@code length} bytes of the alphabet drawn from {@code seed}; shrinks fast. */
    record Contents(int length, long seed) {
        byte[] bytes() {
            SplittableRandom random = new SplittableRandom(seed);
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++) {
                bytes[i] = ALPHABET[random.nextInt(ALPHABET.length)];
            }
            return bytes;
        }
    }

    @Provide
    Arbitrary<Contents> contents() {
        return Combinators.combine(Arbitraries.integers().between(1, MAX_LENGTH), Arbitraries.longs())
                .as(Contents::new);
    }

    @Provide
    Arbitrary<Long> alignments() {
        return Arbitraries.of(1L, PAGE, 2L << 20, 64L << 20);
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<At> at = Combinators.combine(Arbitraries.integers().between(0, 1000),
                Arbitraries.integers().between(-2, 2)).as(At::new);
        Arbitrary<At> signedAt = Combinators.combine(Arbitraries.integers().between(-1000, 1000),
                Arbitraries.integers().between(-2, 2)).as(At::new);
        Arbitrary<byte[]> bytes = Arbitraries.of(ALPHABET).array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> needles = Arbitraries.of(ALPHABET).array(byte[].class).ofMaxSize(3);
        Arbitrary<Op> op = Arbitraries.oneOf(
                Combinators.combine(signedAt, Arbitraries.of(Whence.class)).as(Seek::new),
                at.map(Read::new),
                Arbitraries.just(new ReadByte()),
                Arbitraries.just(new ReadLine()),
                bytes.map(Write::new),
                Arbitraries.integers().between(0, 255).map(WriteByte::new),
                Combinators.combine(at, at, at).as(Move::new),
                Combinators.combine(needles, signedAt, signedAt, Arbitraries.of(true, false)).as(Find::new),
                needles.map(FindFromPosition::new),
                Arbitraries.longs().between(-1, MAX_LENGTH).map(Resize::new),
                Combinators.combine(at, at).as(Flush::new),
                Combinators.combine(at, Arbitraries.of(ALPHABET).array(byte[].class).ofMinSize(1).ofMaxSize(40))
                        .as(Put::new),
                Combinators.combine(at, Arbitraries.integers().between(1, 40)).as(Get::new));
        return op.list().ofMaxSize(50);
    }

    /** The result as text, or the type of the exception. */
    private static String outcome(Callable<String> call) {
        try {
            return "returned " + call.call();
        } catch (Exception e) {
            return "threw " + e.getClass().getSimpleName();
        }
    }

    private static byte[] readFile(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer bytes = ByteBuffer.allocate((int) channel.size());
            while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) >= 0) {
                // read on
            }
            return bytes.array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
