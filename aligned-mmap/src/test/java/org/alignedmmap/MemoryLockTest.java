package org.alignedmmap;

import static org.alignedmmap.MmapConstants.MAP_PRIVATE;
import static org.alignedmmap.MmapConstants.MAP_SHARED;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.alignedmmap.internal.linux.Errno;
import org.alignedmmap.testing.Skips;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * lock()/unlock(): smaps' Locked counter as the witness; and the failure at RLIMIT_MEMLOCK,
 * proved in a child JVM whose limit is lowered (and, when this process may lock beyond any limit
 * with CAP_IPC_LOCK, that capability dropped).
 */
class MemoryLockTest {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final int CAP_IPC_LOCK = 14;

    @ParameterizedTest(name = "flags={0}")
    @ValueSource(ints = {MAP_PRIVATE, MAP_SHARED})
    void shouldLockAndUnlockAndKeepTheLockAcrossAResize(int flags) throws IOException {
        try (Mmap m = Mmap.options().flags(flags).anonymous(16 * PAGE)) {
            assertThat(m.backing().locked()).isZero();
            assertThat(m.residency().residentPages()).isZero();
            try {
                m.lock();
            } catch (ErrnoException e) {
                Skips.skipUnless(false, "this process may not lock 16 pages: " + e.getMessage());
            }
            m.lock(); // locks do not nest: locking twice is harmless
            assertThat(m.backing().locked()).isEqualTo(16 * PAGE);
            assertThat(m.residency().isFullyResident()).as("mlock faults the pages in").isTrue();

            m.resize(32 * PAGE); // MAP_SHARED: copied into a new mapping; MAP_PRIVATE: mremap
            assertThat(m.backing().locked()).as("locked after the resize").isEqualTo(32 * PAGE);
            assertThat(m.residency().isFullyResident()).isTrue();

            m.unlock();
            assertThat(m.backing().locked()).isZero();
            m.unlock();
            assertThat(m.residency().isFullyResident()).as("unlocking drops nothing").isTrue();
        }
    }

    @ParameterizedTest(name = "RLIMIT_MEMLOCK={0}")
    @CsvSource({"65536, ENOMEM", "0, EPERM"})
    void shouldNameTheLimitWhenLockingExceedsIt(long limit, String errno) throws Exception {
        long length = 1L << 20; // more than the limit, which is at most 64 KiB here
        List<String> command = new ArrayList<>();
        if (hasCapability(CAP_IPC_LOCK)) {
            // With CAP_IPC_LOCK no limit applies; a child without it in its bounding set has none.
            Optional<Path> setpriv = executable("setpriv");
            Skips.skipUnless(setpriv.isPresent(), "this process has CAP_IPC_LOCK and setpriv is not installed to"
                    + " drop it for the child");
            command.addAll(List.of(setpriv.get().toString(), "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock"));
        }
        Optional<Path> prlimit = executable("prlimit");
        Skips.skipUnless(prlimit.isPresent(), "prlimit is not installed to lower the child's RLIMIT_MEMLOCK");
        command.addAll(List.of(prlimit.get().toString(), "--memlock=" + limit + ":" + limit));
        command.addAll(List.of(MmapFaultTest.javaExecutable(), "--enable-native-access=ALL-UNNAMED", "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), MemoryLockChild.class.getName(), Long.toString(length)));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        child.getOutputStream().close();
        String output;
        try (var in = child.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Skips.skipUnless(!output.startsWith("setpriv:") && !output.startsWith("prlimit:"),
                "the child's limits could not be set up: " + output.strip());
        assertThat(child.exitValue()).as("child exit code; output:%n%s", output).isZero();
        assertThat(output).as("the child runs without CAP_IPC_LOCK").contains("CAP_IPC_LOCK=false");
        assertThat(output.lines()).as("the lock is refused").doesNotContain("LOCKED");
        assertThat(output).contains("ERRNO=" + errno);
        String message = output.lines().filter(l -> l.startsWith("MESSAGE=")).findFirst().orElseThrow();
        assertThat(message)
                .contains("mlock(")
                .contains("length=" + length)
                .contains(errno)
                .contains("RLIMIT_MEMLOCK (soft " + limit + " bytes, hard " + limit + " bytes)")
                .contains(Long.toString(length) + (errno.equals("EPERM") ? " bytes needs CAP_IPC_LOCK"
                        : " more bytes"));
        assertThat(output).as("the mapping is intact and unlocked").contains("LOCKED_AFTER=0").contains("USABLE");
    }

    static boolean hasCapability(int capability) throws IOException {
        String effective = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("CapEff:")).findFirst().orElseThrow().substring(7).strip();
        return (Long.parseUnsignedLong(effective, 16) & (1L << capability)) != 0;
    }

    private static Optional<Path> executable(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        return Stream.concat(Stream.of(path.split(File.pathSeparator)), Stream.of("/usr/sbin", "/usr/bin"))
                .map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
    }

    /** Runs in the child JVM: maps, tries to lock, and reports. */
    public static final class MemoryLockChild {
        public static void main(String[] args) throws Exception {
            long length = Long.parseLong(args[0]);
            System.out.println("CAP_IPC_LOCK=" + hasCapability(CAP_IPC_LOCK));
            try (Mmap m = Mmap.options().anonymous(length)) {
                try {
                    m.lock();
                    System.out.println("LOCKED");
                } catch (ErrnoException e) {
                    System.out.println("ERRNO=" + e.errnoName());
                    System.out.println("MESSAGE=" + e.getMessage());
                    System.out.println("ERRNO_VALUE_MATCHES=" + (e.errno() == Errno.ENOMEM || e.errno() == Errno
                            .EPERM));
                    System.out.println("LOCKED_AFTER=" + m.backing().locked());
                    m.put(length - 1, (byte) 1);
                    System.out.println("USABLE");
                }
            }
        }
    }
}
