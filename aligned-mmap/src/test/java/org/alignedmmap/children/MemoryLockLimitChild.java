package org.alignedmmap.children;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.alignedmmap.ErrnoException;
import org.alignedmmap.Mmap;
import org.alignedmmap.MmapConstants;
import org.alignedmmap.MmapOptions;
import org.alignedmmap.testing.ProcessFootprint;

/**
 * Runs in a child JVM without CAP_IPC_LOCK (see {@link MmapFaultTest}), where RLIMIT_MEMLOCK
 * applies even to root: mappings with {@code MAP_LOCKED} beyond the limit must fail with an
 * {@link ErrnoException} and leave nothing behind (checked with {@link ProcessFootprint}), at
 * every alignment, for files and anonymous memory; one within the limit must work. Prints one
 * line per case, {@code ok} or {@code FAILED}, then {@code ALIVE}.
 */
public final class MemoryLockLimitChild {
    /** Linux generic {@code MAP_LOCKED}: lock the pages as mlock would. */
    private static final int MAP_LOCKED = 0x2000;

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long limit = Long.parseLong(args[1]);
        long tooMuch = Math.max(4 * limit, 16L << 20);
        Files.write(file, new byte[(int) tooMuch]);
        for (long align : new long[] {1, 2L << 20, 1L << 30}) {
            for (boolean anonymous : new boolean[] {true, false}) {
                String name = (anonymous ? "anonymous" : "file") + " of " + tooMuch + " bytes at align " + align;
                run(name, file, () -> {
                    MmapOptions options = Mmap.options().flags(MmapConstants.MAP_SHARED | MAP_LOCKED).align(align);
                    Throwable thrown = catchThrowable(() -> {
                        try (Mmap m = anonymous ? options.anonymous(tooMuch) : options.map(file)) {
                            m.get(0);
                        }
                    });
                    assertThat(thrown).isInstanceOf(ErrnoException.class);
                    assertThat(((ErrnoException) thrown).errnoName()).isIn("EAGAIN", "ENOMEM", "EPERM");
                    assertThat(thrown).hasMessageContaining("mmap(").hasMessageContaining("0x2000");
                });
            }
        }
        run("anonymous within the limit", file, () -> {
            try (Mmap m = Mmap.options().flags(MmapConstants.MAP_PRIVATE | MAP_LOCKED).align(2L << 20)
                    .anonymous(Math.min(limit / 2, 1 << 20))) {
                m.put(0, (byte) 1);
            }
        });
        Files.delete(file);
        System.out.println("ALIVE");
    }

    private static void run(String name, Path file, ProcessFootprint.Call call) {
        try {
            ProcessFootprint.assertNothingLeftBehind(List.of(file), call);
            System.out.println(name + ": ok");
        } catch (Throwable t) {
            System.out.println(name + ": FAILED " + t.toString().replace('\n', ' '));
        }
    }

    private MemoryLockLimitChild() {}
}
