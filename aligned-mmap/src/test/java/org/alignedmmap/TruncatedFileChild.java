package org.alignedmmap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs in a child JVM (see {@link MmapFaultTest}): maps a file, warms every operation up until
 * the JIT has compiled it, truncates the file under the mapping and then calls each operation on
 * the lost pages. Prints one line per operation with what it threw, then {@code ALIVE}. If the
 * JVM dies instead, the parent sees a crash exit code.
 */
public final class TruncatedFileChild {
    private static final int MIB = 1 << 20;

    private interface Operation {
        Object run(Mmap m, long at, int span) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int length = 64 * MIB;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            // Zeros with a newline every KiB: readLine stays short, the searched needles stay absent.
            byte[] chunk = new byte[MIB];
            for (int i = 1023; i < MIB; i += 1024) {
                chunk[i] = '\n';
            }
            for (long at = 0; at < length; at += MIB) {
                ch.write(ByteBuffer.wrap(chunk), at);
            }
        }
        Map<String, Operation> operations = new LinkedHashMap<>();
        byte[] absent8 = {1, 2, 3, 4, 5, 6, 7, 8};
        operations.put("find 1 byte", (m, at, span) -> m.find(new byte[] {1}, at, at + span));
        operations.put("find 8 bytes", (m, at, span) -> m.find(absent8, at, at + span));
        operations.put("rfind 1 byte", (m, at, span) -> m.rfind(new byte[] {1}, at, at + span));
        operations.put("rfind 8 bytes", (m, at, span) -> m.rfind(absent8, at, at + span));
        operations.put("readLine", (m, at, span) -> { m.seek(at); return m.readLine(); });
        operations.put("read", (m, at, span) -> { m.seek(at); return m.read(span); });
        operations.put("readByte", (m, at, span) -> { m.seek(at); return m.readByte(); });
        operations.put("get", (m, at, span) -> m.get(at));
        operations.put("getBytes", (m, at, span) -> m.getBytes(at, span));
        operations.put("put", (m, at, span) -> { m.put(at, (byte) 1); return null; });
        operations.put("write", (m, at, span) -> { m.seek(at); return m.write(new byte[4096]); });
        operations.put("writeByte", (m, at, span) -> { m.seek(at); m.writeByte(1); return null; });
        operations.put("move", (m, at, span) -> { m.move(at, at + 4096, 8192); return null; });
        operations.put("channel read", (m, at, span) -> { m.position(at); return m.read(ByteBuffer.allocate(4096)); });
        operations.put("segment copy", (m, at, span) -> MemorySegment.ofArray(new byte[4096])
                .copyFrom(m.segment().asSlice(at, 4096)));
        operations.put("segment get", (m, at, span) -> m.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, at));
        operations.put("buffer get", (m, at, span) -> m.asByteBuffer().get((int) at));

        try (Mmap m = Mmap.options().map(file)) {
            // Warm up on pages that stay: enough calls for C2 to compile each path.
            for (int round = 0; round < 2_000; round++) {
                for (Operation op : operations.values()) {
                    op.run(m, (round % 8) * 4096L, 16 * 1024);
                }
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(4096);
            }
            for (Map.Entry<String, Operation> op : operations.entrySet()) {
                try {
                    op.getValue().run(m, 32L * MIB, MIB);
                    System.out.println(op.getKey() + ": returned");
                } catch (Throwable t) {
                    System.out.println(op.getKey() + ": threw " + t.getClass().getName());
                }
            }
        }
        Files.deleteIfExists(file);
        System.out.println("ALIVE");
    }
}
