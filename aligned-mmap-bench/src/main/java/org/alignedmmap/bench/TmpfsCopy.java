package org.alignedmmap.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A tmpfs mounted with {@code huge=always} holding copies of index folders: the ceiling of what
 * huge pages give {@code MMapDirectory}, whose mappings of tmpfs files get huge pages from the
 * file system itself. Mounting needs root and the {@code mount} command; {@link #mount} says why
 * not when it cannot. {@link #close} unmounts (and so frees the copies' memory).
 */
final class TmpfsCopy implements AutoCloseable {
    /** Room for the tmpfs beyond the files, which tmpfs rounds up to huge pages. */
    private static final long SLACK = 64L << 20;

    private final Path mountPoint;

    private TmpfsCopy(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /**
     * Mounts a tmpfs of {@code bytes} (plus slack) at {@code mountPoint}.
     *
     * @throws IOException with the command's output when mounting fails (not root, no tmpfs)
     */
    static TmpfsCopy mount(Path mountPoint, long bytes) throws IOException, InterruptedException {
        Files.createDirectories(mountPoint);
        run("mount", "-t", "tmpfs", "-o", "huge=always,size=" + (bytes + SLACK), "tmpfs", mountPoint.toString());
        return new TmpfsCopy(mountPoint);
    }

    /** Copies the files of {@code index} (not its subfolders) into folder {@code name} of the tmpfs. */
    Path copy(Path index, String name) throws IOException {
        Path target = mountPoint.resolve(name);
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(index)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        return target;
    }

    /** Bytes of the regular files directly in {@code dir}. */
    static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            long sum = 0;
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                sum += Files.size(file);
            }
            return sum;
        }
    }

    /** Unmounts a tmpfs left mounted at {@code mountPoint} (by a child JVM that died), if any. */
    static void unmountIfMounted(Path mountPoint) throws IOException, InterruptedException {
        String target = " " + mountPoint.toAbsolutePath().normalize() + " ";
        if (Files.readString(Path.of("/proc/mounts")).lines().anyMatch(l -> l.contains(target))) {
            run("umount", mountPoint.toString());
        }
    }

    @Override
    public void close() throws IOException {
        try {
            run("umount", mountPoint.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + mountPoint, e);
        }
        Files.deleteIfExists(mountPoint);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes()).trim();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            List<String> words = new ArrayList<>(List.of(command));
            throw new IOException(String.join(" ", words) + " failed: " + output);
        }
    }
}
