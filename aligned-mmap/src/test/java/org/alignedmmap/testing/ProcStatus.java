package org.alignedmmap.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** /proc/self/status as a witness: the process's memory counters. */
public final class ProcStatus {
    private ProcStatus() {}

    /**
     * Reads one counter in kibibytes, such as {@code VmRSS} or {@code VmSize}.
     *
     * @param field the name before the colon
     * @return its value in KiB
     */
    public static long kilobytes(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.split("\\s+")[1]);
            }
        }
        throw new IllegalStateException(field + " not in /proc/self/status");
    }
}
