package org.alignedmmap.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's virtual size and resident set, from /proc/self/status (also used by the CLI's demo). */
public final class ProcessMemory {
    private ProcessMemory() {}

    /**
     * Returns the process's virtual size.
     *
     * @return VmSize in bytes
     */
    public static long virtual() {
        return field("VmSize:");
    }

    /**
     * Returns the process's resident set.
     *
     * @return VmRSS in bytes
     */
    public static long resident() {
        return field("VmRSS:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException(name + " missing from /proc/self/status");
    }
}
