package org.alignedmmap.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.alignedmmap.testing.ProcMaps.Range;
import org.alignedmmap.testing.ProcMaps.Region;

/**
 * What a call may leave behind in this process: address space (/proc/self/maps) and descriptors
 * (/proc/self/fd). {@link #assertNothingLeftBehind} runs a call between two snapshots and fails
 * if the call left a mapping, a reservation or a descriptor.
 *
 * <p>Other threads of the JVM (JIT compilers, GC workers, the class loader opening a jar) map
 * memory and open files while a test runs, and stop again. What counts as left behind is chosen
 * so that none of that hides a leftover of ours:
 *
 * <ul>
 *   <li>every address range that was unmapped before and is mapped after, whatever its rights
 *       (a reservation is {@code ---p}) and whether or not the kernel merged it into a
 *       neighbouring region: ranges are compared address by address, not region by region;
 *   <li>every mapping of a watched file (the test's files) that changed;
 *   <li>every descriptor that is open after but was not before, or that points at another file
 *       now (a descriptor number reused), and the number of descriptors on a watched file.
 * </ul>
 *
 * The JVM's own activity also produces such differences now and then (a compiler thread starts
 * and gets a stack). A leftover of the library's is produced by every call of the same kind, so
 * the check repeats the call (up to {@link #ATTEMPTS} times, each between fresh snapshots) and
 * passes as soon as one attempt leaves nothing; it fails with the differences of every attempt.
 * A call that leaks every time can therefore never pass.
 */
public final class ProcessFootprint {
    /** How many times a call is repeated before its differences count as leftovers. */
    public static final int ATTEMPTS = 4;

    /** User space ends below 2^57 even with 5-level page tables; vsyscall lies beyond. */
    private static final long USER_SPACE_END = 1L << 57;

    /** A call under test; may throw anything, the caller's lambda checks what. */
    public interface Call {
        void run() throws Throwable;
    }

    private final ProcMaps maps;
    private final Map<Integer, String> descriptors;

    private ProcessFootprint(ProcMaps maps, Map<Integer, String> descriptors) {
        this.maps = maps;
        this.descriptors = descriptors;
    }

    public static ProcessFootprint take() {
        Map<Integer, String> descriptors = openDescriptors();
        return new ProcessFootprint(ProcMaps.read(), descriptors);
    }

    /**
     * Runs {@code call} and asserts that it left no mapping, reservation or descriptor behind,
     * repeating it as described in the class comment. {@code call} must be repeatable and should
     * itself assert what it expects (an exception, a result).
     *
     * @param watched files whose mappings and descriptors are always counted
     */
    public static void assertNothingLeftBehind(Collection<Path> watched, Call call) throws Throwable {
        List<String> report = new ArrayList<>();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            ProcessFootprint before = take();
            call.run();
            ProcessFootprint after = take();
            List<String> leftovers = after.leftoversSince(before, watched);
            if (leftovers.isEmpty()) {
                return;
            }
            report.add("attempt " + attempt + ":\n  " + String.join("\n  ", leftovers));
        }
        fail("the call left something behind in every one of %d attempts:%n%s", ATTEMPTS,
                String.join("\n", report));
    }

    /** The differences from {@code before} that could be ours; empty if there are none. */
    public List<String> leftoversSince(ProcessFootprint before, Collection<Path> watched) {
        List<String> leftovers = new ArrayList<>();
        for (Range range : ProcMaps.changed(before.maps, maps, 0, USER_SPACE_END)) {
            Region was = before.maps.regionAt(range.start());
            Region is = maps.regionAt(range.start());
            if (was == null && is != null) {
                leftovers.add("newly mapped " + range + " (" + range.size() + " bytes) " + is.perms() + " "
                        + is.path());
            } else if (is != null && isWatched(is.path(), watched)) {
                leftovers.add("mapping of a watched file changed at " + range + ": " + is.perms() + " " + is.path()
                        + ", was " + was);
            }
        }
        descriptors.forEach((fd, target) -> {
            String previous = before.descriptors.get(fd);
            if (!target.equals(previous)) {
                leftovers.add("descriptor " + fd + " -> " + target + (previous == null ? " is new"
                        : " (was " + previous + ")"));
            }
        });
        for (Path file : watched) {
            long was = before.descriptorsOf(file);
            long is = descriptorsOf(file);
            if (was != is) {
                leftovers.add("descriptors of " + file + ": " + was + " before, " + is + " after");
            }
        }
        return leftovers;
    }

    /** Mappings of {@code file} in this snapshot. */
    public long mappingsOf(Path file) {
        String target = file.toAbsolutePath().normalize().toString();
        return maps.regions().stream().filter(r -> r.path().equals(target)).count();
    }

    /** Descriptors pointing at {@code file} in this snapshot. */
    public long descriptorsOf(Path file) {
        String target = file.toAbsolutePath().normalize().toString();
        return descriptors.values().stream().filter(target::equals).count();
    }

    /** How many descriptors are open in this snapshot. */
    public int descriptorCount() {
        return descriptors.size();
    }

    public ProcMaps maps() {
        return maps;
    }

    private static boolean isWatched(String path, Collection<Path> watched) {
        for (Path file : watched) {
            String name = file.toAbsolutePath().normalize().toString();
            if (path.equals(name) || path.startsWith(name + " ")) { // "... (deleted)"
                return true;
            }
        }
        return false;
    }

    /** Descriptor number to target, without the descriptor of the listing itself. */
    private static Map<Integer, String> openDescriptors() {
        Map<Integer, String> targets = new TreeMap<>();
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            fds.forEach(entries::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Read the links after the listing is closed: its own descriptor is gone by then.
        for (Path fd : entries) {
            try {
                targets.put(Integer.parseInt(fd.getFileName().toString()), Files.readSymbolicLink(fd).toString());
            } catch (IOException closedMeanwhile) {
                // the listing's own descriptor, or one another thread closed
            }
        }
        return targets;
    }
}
