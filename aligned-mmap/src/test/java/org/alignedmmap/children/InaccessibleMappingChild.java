package org.alignedmmap.children;

import static org.alignedmmap.MmapConstants.MAP_PRIVATE;
import static org.alignedmmap.MmapConstants.MAP_SHARED;
import static org.alignedmmap.MmapConstants.PROT_EXEC;
import static org.alignedmmap.MmapConstants.PROT_NONE;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.alignedmmap.Advice;
import org.alignedmmap.Mmap;
import org.alignedmmap.MmapOptions;

/**
 * Runs in a child JVM (see {@link MmapFaultTest}): maps memory that has neither PROT_READ nor
 * PROT_WRITE (anonymous and file, PROT_NONE and PROT_EXEC alone) and calls every method on it.
 * A Java access to such memory is a SIGSEGV that kills the JVM; the library must refuse instead.
 * Prints {@code read <name>: ...}, {@code write <name>: ...} and {@code kernel <name>: ...}
 * lines with what each call did, then {@code ALIVE}.
 */
public final class InaccessibleMappingChild {
    private interface Operation {
        Object run(Mmap m) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path file = Files.write(Path.of(args[0]), new byte[3 * 4096]);
        Map<String, Operation> operations = new LinkedHashMap<>();
        operations.put("read get", m -> m.get(0));
        operations.put("read getBytes", m -> m.getBytes(0, 16));
        operations.put("read read", m -> m.read(16));
        operations.put("read readByte", Mmap::readByte);
        operations.put("read readLine", Mmap::readLine);
        operations.put("read find", m -> m.find(new byte[] {1}));
        operations.put("read rfind", m -> m.rfind(new byte[] {1, 2}));
        operations.put("read segment", m -> m.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        operations.put("read asByteBuffer", m -> m.asByteBuffer().get(0));
        operations.put("read asByteBuffer window", m -> m.asByteBuffer(0, 8).get(0));
        operations.put("read channel read", m -> m.read(ByteBuffer.allocate(16)));
        operations.put("write put", m -> { m.put(0, (byte) 1); return null; });
        operations.put("write put bytes", m -> { m.put(0, new byte[4]); return null; });
        operations.put("write write", m -> m.write(new byte[4]));
        operations.put("write writeByte", m -> { m.writeByte(1); return null; });
        operations.put("write move", m -> { m.move(0, 1, 4); return null; });
        operations.put("write channel write", m -> m.write(ByteBuffer.allocate(4)));
        operations.put("kernel flush", m -> { m.flush(); return null; });
        operations.put("kernel advise", m -> { m.advise(Advice.DONTNEED); return null; });
        operations.put("kernel length and address", m -> m.length() + m.address());

        Map<String, MmapOptions> mappings = new LinkedHashMap<>();
        mappings.put("anonymous PROT_NONE", Mmap.options().flags(MAP_PRIVATE).prot(PROT_NONE).align(2L << 20));
        mappings.put("anonymous PROT_EXEC", Mmap.options().flags(MAP_SHARED).prot(PROT_EXEC));
        mappings.put("file PROT_NONE", Mmap.options().flags(MAP_SHARED).prot(PROT_NONE));
        for (Map.Entry<String, MmapOptions> mapping : mappings.entrySet()) {
            MmapOptions options = mapping.getValue();
            try (Mmap m = mapping.getKey().startsWith("file") ? options.map(file) : options.anonymous(3 * 4096)) {
                for (Map.Entry<String, Operation> op : operations.entrySet()) {
                    String line = op.getKey() + " (" + mapping.getKey() + ")";
                    try {
                        op.getValue().run(m);
                        System.out.println(line + ": returned");
                    } catch (Throwable t) {
                        System.out.println(line + ": threw " + t.getClass().getName());
                    }
                }
            }
        }
        Files.delete(file);
        System.out.println("ALIVE");
    }

    private InaccessibleMappingChild() {}
}
