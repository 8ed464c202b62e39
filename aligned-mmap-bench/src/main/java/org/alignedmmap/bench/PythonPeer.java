package org.alignedmmap.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CPython's {@code mmap} as a peer: finds an interpreter (3.13 preferred), runs {@code
 * peer_mmap.py} on the same files with the same parameters, and reads its results.
 */
final class PythonPeer {
    private final String executable;
    private final String version;

    private PythonPeer(String executable, String version) {
        this.executable = executable;
        this.version = version;
    }

    /**
     * Finds a Python: the one given, else pyenv's 3.13, else {@code python3.13}, else {@code python3}.
     *
     * @param override an interpreter the user named, or null
     * @return the interpreter, or empty when there is none
     */
    static Optional<PythonPeer> find(String override) {
        List<String> candidates = new ArrayList<>();
        if (override != null) {
            candidates.add(override);
        }
        run(List.of("pyenv", "prefix", "3.13.0"), 10).map(String::trim)
                .filter(prefix -> !prefix.isEmpty())
                .ifPresent(prefix -> candidates.add(prefix + "/bin/python3"));
        candidates.add("python3.13");
        candidates.add("python3");
        PythonPeer fallback = null;
        for (String candidate : candidates) {
            Optional<String> version = run(List.of(candidate, "-c", "import sys; print(sys.version.split()[0])"), 10)
                    .map(String::trim);
            if (version.isEmpty() || version.get().isEmpty()) {
                continue;
            }
            PythonPeer peer = new PythonPeer(candidate, version.get());
            if (version.get().startsWith("3.13") || candidate.equals(override)) {
                return Optional.of(peer);
            }
            if (fallback == null) {
                fallback = peer;
            }
        }
        return Optional.ofNullable(fallback);
    }

    /** The interpreter's command, for a child JVM to find the same one. */
    String executable() {
        return executable;
    }

    String describe() {
        return "CPython " + version + " (" + executable + ")";
    }

    /**
     * Runs the peer script.
     *
     * @param parameters the JSON object the script reads
     * @return the script's results: seconds per operation, and "python" = its version
     * @throws IOException if the script fails
     */
    Map<String, Double> run(String parameters) throws IOException {
        Path script = Files.createTempFile("peer_mmap", ".py");
        try (InputStream in = PythonPeer.class.getResourceAsStream("peer_mmap.py")) {
            Files.write(script, in.readAllBytes());
            Optional<String> output = run(List.of(executable, script.toString(), parameters), 1800);
            if (output.isEmpty()) {
                throw new IOException(describe() + " failed to run peer_mmap.py");
            }
            return parseNumbers(output.get());
        } finally {
            Files.deleteIfExists(script);
        }
    }

    /** The script prints one flat JSON object; numbers are all we need from it. */
    private static Map<String, Double> parseNumbers(String json) {
        Map<String, Double> values = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\"([^\"]+)\":\\s*([-0-9.eE+]+)").matcher(json);
        while (m.find()) {
            values.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return values;
    }

    private static Optional<String> run(List<String> command, int timeoutSeconds) {
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            process.getOutputStream().close();
            String out;
            try (InputStream in = process.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            return process.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
