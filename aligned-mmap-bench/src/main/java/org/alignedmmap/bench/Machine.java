package org.alignedmmap.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.alignedmmap.SystemAlignment;
import org.alignedmmap.internal.ByteSearch;

/** What the figures were measured on, read from the running system. */
final class Machine {
    private Machine() {}

    /**
     * Describes this machine.
     *
     * @param dataDir where the benchmark files live (for the file system type)
     * @param python the Python that ran as a peer, or a reason why none did
     * @return ordered facts: CPU, cores, memory, kernel, THP, JDK, Python, ...
     */
    static Map<String, String> describe(Path dataDir, String python) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("CPU", cpuModel() + cpuVectorFlags());
        facts.put("Cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
        facts.put("Memory", memTotal());
        facts.put("Kernel", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        facts.put("Page size", SystemAlignment.pageSize() + " B");
        facts.put("THP", firstLine(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")));
        facts.put("File system", fileSystem(dataDir));
        facts.put("JDK", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version"));
        facts.put("Search kernel", ByteSearch.kernel());
        facts.put("Python peer", python);
        return facts;
    }

    private static String cpuModel() {
        for (String line : lines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return System.getProperty("os.arch");
    }

    private static String cpuVectorFlags() {
        for (String line : lines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("flags")) {
                List<String> flags = List.of(line.substring(line.indexOf(':') + 1).trim().split(" "));
                String simd = flags.contains("avx512bw") ? "AVX-512" : flags.contains("avx2") ? "AVX2" : "";
                return simd.isEmpty() ? "" : " (" + simd + ")";
            }
        }
        return "";
    }

    private static String memTotal() {
        for (String line : lines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                return String.format("%.1f GiB", kib / 1024.0 / 1024.0);
            }
        }
        return "?";
    }

    private static String fileSystem(Path dir) {
        try {
            return Files.getFileStore(dir).type();
        } catch (IOException e) {
            return "?";
        }
    }

    private static String firstLine(Path file) {
        List<String> lines = lines(file);
        return lines.isEmpty() ? "not available" : lines.getFirst().trim();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
