package org.alignedmmap.children;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.LongAdder;
import org.alignedmmap.Advice;
import org.alignedmmap.Mmap;
import org.alignedmmap.SystemAlignment;
import org.alignedmmap.testing.OpenFiles;
import org.alignedmmap.testing.ProcMaps;

/**
 * Runs in a child JVM (see {@link MmapConcurrencyTest}): round after round, four worker threads
 * read, write, search, flush and advise one mapping while the main thread closes it after a
 * random short delay. A worker's round ends with the first exception; {@link
 * IllegalStateException} is the only one allowed (anything else is printed as {@code
 * UNEXPECTED}). After each round the main thread checks that the memory is unmapped and the
 * descriptor closed. Prints counters and {@code ALIVE}; a crash shows as the exit code.
 *
 * <p>Only the methods of {@link Mmap} run here, not raw accesses through its views (see the
 * comment on the operations).
 *
 * <p>Rounds rotate over a file mapping at 2 MiB alignment, shared anonymous memory, and a file
 * mapping bound to a shared arena of the caller's, which is closed right after the mapping (the
 * workers holding its segment then get IllegalStateException from the arena).
 *
 * <p>Worker 0 uses the position-based methods (seek, read, readLine, write...), the others only
 * methods that take an index: the position is shared and unsynchronized, like a stream's, so
 * racing on it would produce legitimate range errors.
 */
public final class ConcurrentCloseChild {
    public static final int LENGTH = 1 << 20;
    /** The rounds run whatever the time given: each kind of mapping ten times. */
    public static final int MIN_ROUNDS = 30;
    private static final int WORKERS = 4;
    private static final long PAGE = SystemAlignment.pageSize();

    private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();
    private static final List<String> UNEXPECTED = java.util.Collections.synchronizedList(new ArrayList<>());

    private interface Op {
        void run(Mmap m, MemorySegment view, SplittableRandom random) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long millis = Long.parseLong(args[1]);
        byte[] contents = new byte[LENGTH];
        for (int i = 1023; i < LENGTH; i += 1024) {
            contents[i] = '\n';
        }
        Files.write(file, contents);
        long fdsBefore = OpenFiles.count();

        CyclicBarrier start = new CyclicBarrier(WORKERS + 1);
        CyclicBarrier end = new CyclicBarrier(WORKERS + 1);
        Mmap[] current = new Mmap[1];
        MemorySegment[] views = new MemorySegment[1];
        boolean[] stop = new boolean[1];
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            int id = w;
            workers.add(Thread.ofPlatform().name("worker-" + w).start(() -> {
                SplittableRandom random = new SplittableRandom(id);
                try {
                    while (true) {
                        start.await();
                        if (stop[0]) {
                            return;
                        }
                        work(id, current[0], views[0], random);
                        end.await();
                    }
                } catch (Throwable t) {
                    t.printStackTrace();
                    UNEXPECTED.add("worker " + id + " died: " + t);
                }
            }));
        }

        SplittableRandom random = new SplittableRandom(42);
        long deadline = System.nanoTime() + millis * 1_000_000;
        int rounds = 0;
        // At least MIN_ROUNDS whatever the machine's load, and as many more as the time allows.
        while (rounds < MIN_ROUNDS || System.nanoTime() < deadline) {
            int kind = rounds % 3;
            Arena arena = kind == 2 ? Arena.ofShared() : null;
            Mmap m = switch (kind) {
                case 0 -> Mmap.options().align(2L << 20).map(file);
                case 1 -> Mmap.options().align(2L << 20).anonymous(LENGTH);
                default -> Mmap.options().arena(arena).map(file);
            };
            long address = m.address();
            current[0] = m;
            // Every other round of our own mappings takes a view first, so that closes with and
            // without a views' arena both race the workers.
            views[0] = kind == 2 || rounds % 2 == 0 ? m.segment() : null;
            start.await();
            // Let the workers get going, then pull the mapping from under them.
            long pause = random.nextLong(2_000_000);
            for (long until = System.nanoTime() + pause; System.nanoTime() < until; ) {
                Thread.onSpinWait();
            }
            m.close();
            if (arena != null) {
                closeEventually(arena);
            }
            end.await();
            rounds++;
            check(m, address, kind != 1, file, fdsBefore);
        }
        stop[0] = true;
        start.await();
        for (Thread worker : workers) {
            worker.join();
        }
        Files.deleteIfExists(file);
        new TreeMap<>(COUNTS).forEach((key, count) -> System.out.println("count " + key + " " + count));
        UNEXPECTED.forEach(line -> System.out.println("UNEXPECTED " + line));
        System.out.println("ALIVE rounds=" + rounds);
    }

    /**
     * Closes a caller's arena; a flush or advise of a worker may hold its memory for the length of
     * a system call, and the arena then refuses to close (as for any downcall): try again.
     */
    private static void closeEventually(Arena arena) {
        while (true) {
            try {
                arena.close();
                return;
            } catch (IllegalStateException heldByADowncall) {
                count("arena close retried");
                Thread.onSpinWait();
            }
        }
    }

    private static void check(Mmap m, long address, boolean isFile, Path file, long fdsBefore) {
        if (m.isOpen()) {
            UNEXPECTED.add("still open after close");
        }
        // The JVM's own threads may map something into the freed range at once; what was ours is
        // recognizable: a mapping of the file, or shared anonymous memory (shown as /dev/zero).
        String path = file.toAbsolutePath().toString();
        for (ProcMaps.Region region : ProcMaps.read().regions()) {
            boolean inside = region.start() < address + LENGTH && address < region.end();
            boolean ours = region.path().equals(path) || region.path().startsWith(path + " ")
                    || (region.perms().endsWith("s") && region.path().startsWith("/dev/zero"));
            if (ours && (inside || isFile)) {
                UNEXPECTED.add("still mapped after close: " + region);
            }
        }
        if (isFile && OpenFiles.descriptorsOf(file) != 0) {
            UNEXPECTED.add("descriptor of the file still open after close");
        }
        if (OpenFiles.count() != fdsBefore) {
            UNEXPECTED.add("descriptors: " + fdsBefore + " before, " + OpenFiles.count() + " after");
        }
    }

    private static void work(int id, Mmap m, MemorySegment view, SplittableRandom random) {
        List<Map.Entry<String, Op>> ops = id == 0 ? STREAM_OPS : INDEX_OPS;
        while (true) {
            Map.Entry<String, Op> op = ops.get(random.nextInt(ops.size()));
            try {
                op.getValue().run(m, view, random);
                count("ok " + op.getKey());
            } catch (IllegalStateException closed) {
                count("IllegalStateException " + op.getKey());
                // JDK 25 delivers the arena's "Already closed" to a thread inside an access as an
                // asynchronous exception and leaves its interrupt status set (JDK-8306324, fixed
                // later); without clearing it the next barrier wait would fail.
                if (Thread.interrupted()) {
                    count("interrupt status left set by the JDK");
                }
                return;
            } catch (Throwable t) {
                java.io.StringWriter trace = new java.io.StringWriter();
                t.printStackTrace(new java.io.PrintWriter(trace));
                UNEXPECTED.add(op.getKey() + " threw " + trace.toString().replace('\n', '|'));
                return;
            }
        }
    }

    private static void count(String key) {
        COUNTS.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static final byte[] ABSENT = {1, 2, 3, 4, 5, 6, 7, 9};

    private static final List<Map.Entry<String, Op>> INDEX_OPS = List.of(
            Map.entry("get", (m, v, r) -> m.get(r.nextInt(LENGTH))),
            Map.entry("getBytes", (m, v, r) -> m.getBytes(r.nextInt(LENGTH - 65536), 65536)),
            Map.entry("put", (m, v, r) -> m.put(r.nextInt(LENGTH), (byte) 0)),
            Map.entry("put bytes", (m, v, r) -> m.put(r.nextInt(LENGTH - 4096), new byte[4096])),
            Map.entry("find", (m, v, r) -> m.find(ABSENT, r.nextInt(LENGTH / 2), LENGTH)),
            Map.entry("find 1 byte", (m, v, r) -> m.find(new byte[] {7}, r.nextInt(LENGTH / 2), LENGTH)),
            Map.entry("rfind", (m, v, r) -> m.rfind(ABSENT, 0, LENGTH - r.nextInt(LENGTH / 2))),
            Map.entry("move", (m, v, r) -> m.move(r.nextInt(LENGTH / 2), LENGTH / 2, 65536)),
            Map.entry("flush", (m, v, r) -> m.flush(r.nextInt(LENGTH / 2), 8192)),
            Map.entry("advise", (m, v, r) -> m.advise(Advice.WILLNEED, r.nextInt(16) * PAGE, 65536)),
            Map.entry("advise DONTNEED", (m, v, r) -> m.advise(Advice.DONTNEED, r.nextInt(16) * PAGE, 8192)),
            Map.entry("backing", (m, v, r) -> m.backing()),
            Map.entry("residency", (m, v, r) -> m.residency()),
            // lock() is left out: while a worker holds the lock, another's MADV_DONTNEED fails with
            // EINVAL, as the kernel refuses it on locked pages (MemoryLockTest covers lock()).
            Map.entry("rfind 1 byte", (m, v, r) -> m.rfind(new byte[] {7}, 0, LENGTH - r.nextInt(LENGTH / 2))),
            Map.entry("fileSize", (m, v, r) -> {
                long size = m.fileSize(); // the length, for anonymous memory (CPython 3.15)
                if (size != LENGTH) {
                    throw new AssertionError("fileSize " + size);
                }
            }),
            // Raw accesses through segment() and asByteBuffer() views are left out: racing them
            // with close relies on the JDK's shared-arena close alone, which on JDK 25 can let an
            // access in flight touch unmapped memory (JDK-8364167, a SIGSEGV seen here). The
            // methods of Mmap are guarded against it; views taken before close are checked to
            // throw afterwards by MmapLifetimeTest.
            Map.entry("toString", (m, v, r) -> m.toString()));

    private static final List<Map.Entry<String, Op>> STREAM_OPS = List.of(
            Map.entry("seek+read", (m, v, r) -> {
                m.seek(r.nextInt(LENGTH));
                m.read(8192);
            }),
            Map.entry("seek+readLine", (m, v, r) -> {
                m.seek(r.nextInt(LENGTH));
                m.readLine();
            }),
            Map.entry("seek+readByte", (m, v, r) -> {
                m.seek(r.nextInt(LENGTH));
                m.readByte();
            }),
            Map.entry("seek+write", (m, v, r) -> {
                m.seek(r.nextInt(LENGTH - 4096));
                m.write(new byte[4096]);
            }),
            Map.entry("seek+writeByte", (m, v, r) -> {
                m.seek(r.nextInt(LENGTH));
                m.writeByte(0);
            }),
            Map.entry("channel read", (m, v, r) -> {
                m.position(r.nextInt(LENGTH - 4096));
                m.read(ByteBuffer.allocate(4096));
            }),
            Map.entry("channel write", (m, v, r) -> {
                m.position(r.nextInt(LENGTH - 4096));
                m.write(ByteBuffer.allocate(4096));
            }),
            Map.entry("find from position", (m, v, r) -> {
                m.seek(r.nextInt(LENGTH));
                m.find(ABSENT);
            }));

    private ConcurrentCloseChild() {}
}
