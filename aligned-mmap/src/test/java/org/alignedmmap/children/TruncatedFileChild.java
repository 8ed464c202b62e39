package org.alignedmmap.children;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.alignedmmap.Access;
import org.alignedmmap.Advice;
import org.alignedmmap.Aligned;
import org.alignedmmap.Mmap;

/**
 * Runs in a child JVM (see {@link MmapFaultTest}): maps a file, warms every operation up until
 * the JIT has compiled it, truncates the file under the mapping and then calls each operation on
 * the lost pages. Prints one line per operation with what it threw, then {@code ALIVE}. If the
 * JVM dies instead, the parent sees a crash exit code.
 *
 * <p>Arguments: the file, the {@link Access} to map it with (WRITE or COPY: both fault on lost
 * pages, for reads and writes alike), and the alignment. Operations that touch the bytes are
 * printed as {@code touch <name>: ...}; those that only ask the kernel about the range (flush,
 * advise, the file's size) as {@code kernel <name>: ...}.
 */
public final class TruncatedFileChild {
    private static final int MIB = 1 << 20;

    private interface Operation {
        Object run(Mmap m, long at, int span) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Access access = args.length > 1 ? Access.valueOf(args[1]) : Access.WRITE;
        long align = args.length > 2 ? Long.parseLong(args[2]) : 1;
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
        operations.put("touch find 1 byte", (m, at, span) -> m.find(new byte[] {1}, at, at + span));
        operations.put("touch find 8 bytes", (m, at, span) -> m.find(absent8, at, at + span));
        // From the position to the end of the mapping: near the end, so that warming up stays cheap.
        operations.put("touch find from the position", (m, at, span) -> {
            m.seek(Math.max(at, m.length() - 4L * span));
            return m.find(absent8);
        });
        operations.put("touch rfind 1 byte", (m, at, span) -> m.rfind(new byte[] {1}, at, at + span));
        operations.put("touch rfind 8 bytes", (m, at, span) -> m.rfind(absent8, at, at + span));
        operations.put("touch readLine", (m, at, span) -> { m.seek(at); return m.readLine(); });
        operations.put("touch read", (m, at, span) -> { m.seek(at); return m.read(span); });
        operations.put("touch read to the end", (m, at, span) -> { m.seek(m.length() - span); return m.read(); });
        operations.put("touch readByte", (m, at, span) -> { m.seek(at); return m.readByte(); });
        operations.put("touch get", (m, at, span) -> m.get(at));
        operations.put("touch getBytes", (m, at, span) -> m.getBytes(at, span));
        operations.put("touch get into an array", (m, at, span) -> { m.get(at, new byte[4096]); return null; });
        operations.put("touch put", (m, at, span) -> { m.put(at, (byte) 1); return null; });
        operations.put("touch put bytes", (m, at, span) -> { m.put(at, new byte[4096]); return null; });
        operations.put("touch write", (m, at, span) -> { m.seek(at); return m.write(new byte[4096]); });
        operations.put("touch writeByte", (m, at, span) -> { m.seek(at); m.writeByte(1); return null; });
        operations.put("touch move", (m, at, span) -> { m.move(at, at + 4096, 8192); return null; });
        operations.put("touch move from lost pages", (m, at, span) -> { m.move(0, at, 4096); return null; });
        operations.put("touch channel read", (m, at, span) -> { m.position(at); return m.read(ByteBuffer
                .allocate(4096)); });
        operations.put("touch channel write", (m, at, span) -> { m.position(at); return m.write(ByteBuffer
                .allocate(4096)); });
        operations.put("touch segment copy", (m, at, span) -> MemorySegment.ofArray(new byte[4096])
                .copyFrom(m.segment().asSlice(at, 4096)));
        operations.put("touch segment get", (m, at, span) -> m.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, at));
        operations.put("touch segment fill", (m, at, span) -> m.segment().asSlice(at, 4096).fill((byte) 0));
        operations.put("touch segment mismatch", (m, at, span) -> m.segment().asSlice(at, span)
                .mismatch(MemorySegment.ofArray(new byte[span])));
        operations.put("touch buffer get", (m, at, span) -> m.asByteBuffer().get((int) at));
        operations.put("touch buffer window get", (m, at, span) -> m.asByteBuffer(at, 4096).getLong(8));
        operations.put("touch Aligned.copyOf", (m, at, span) -> {
            try (Arena arena = Arena.ofConfined()) {
                return Aligned.copyOf(m.segment().asSlice(at, span), 4096, arena).byteSize();
            }
        });
        operations.put("kernel flush", (m, at, span) -> { m.flush(at, span); return null; });
        operations.put("kernel advise WILLNEED", (m, at, span) -> { m.advise(Advice.WILLNEED, at,
                span); return null; });
        operations.put("kernel fileSize", (m, at, span) -> m.fileSize());

        try (Mmap m = Mmap.options().access(access).align(align).map(file)) {
            // Warm up on pages that stay: enough calls for C2 to compile each path. The system
            // calls need no compiling, and a flush of dirty pages waits for the disk: a few do.
            for (int round = 0; round < 2_000; round++) {
                for (Map.Entry<String, Operation> op : operations.entrySet()) {
                    if (round < 20 || op.getKey().startsWith("touch ")) {
                        op.getValue().run(m, (round % 8) * 4096L, 16 * 1024);
                    }
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
