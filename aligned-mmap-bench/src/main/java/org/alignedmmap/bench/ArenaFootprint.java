package org.alignedmmap.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.alignedmmap.AlignedArena;

/**
 * The resident memory that live, fully written buffers cost, measured in a fresh JVM after a
 * small warm-up round: there, {@code malloc} has little freed memory to recycle, so the JDK's buffers cannot hide in pages an
 * earlier run left resident, and the growth of {@code VmRSS} is what the buffers occupy.
 *
 * <pre>ArenaFootprint jdk|ours COUNT SIZE ALIGN</pre>
 * prints the growth in bytes.
 */
public final class ArenaFootprint {
    private ArenaFootprint() {}

    /**
     * Allocates and writes the buffers, and prints the growth of the resident set.
     *
     * @param args which arena, how many buffers, their size and alignment
     */
    public static void main(String[] args) {
        boolean ours = args[0].equals("ours");
        int count = Integer.parseInt(args[1]);
        long size = Long.parseLong(args[2]);
        long align = Long.parseLong(args[3]);
        // A first, small round loads and links the classes (the library binds its downcalls on
        // first use, several MiB of generated code): that memory is not the buffers'.
        fill(ours, Math.min(count, 64), size, align, false);
        fill(ours, count, size, align, true);
    }

    private static void fill(boolean ours, int count, long size, long align, boolean print) {
        long before = ProcessMemory.resident();
        try (Arena arena = ours ? AlignedArena.ofConfined() : Arena.ofConfined()) {
            for (int i = 0; i < count; i++) {
                arena.allocate(size, align).fill((byte) 1);
            }
            if (print) {
                System.out.println(ProcessMemory.resident() - before);
            }
        }
    }

    /**
     * Runs {@link #main} in a child JVM on this JVM's class path.
     *
     * @return the growth in bytes it printed
     * @throws IOException if the child cannot run or prints no number
     */
    static long measure(boolean ours, int count, long size, long align) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), ArenaFootprint.class.getName(), ours ? "ours" : "jdk",
                String.valueOf(count), String.valueOf(size), String.valueOf(align));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream in = child.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        if (!child.waitFor(60, TimeUnit.SECONDS) || child.exitValue() != 0) {
            child.destroyForcibly();
            throw new IOException("ArenaFootprint child failed: " + output);
        }
        try {
            return Long.parseLong(output.lines().reduce((a, b) -> b).orElse(""));
        } catch (NumberFormatException e) {
            throw new IOException("ArenaFootprint child printed no number: " + output, e);
        }
    }
}
