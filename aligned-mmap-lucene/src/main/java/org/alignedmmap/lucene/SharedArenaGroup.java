package org.alignedmmap.lucene;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Hands out shared arenas by group key (the files of one segment), each shared by up to {@link
 * #MAX_FILES_PER_ARENA} files and closed when the last of its files closes.
 *
 * <p>Why: every close of a shared arena makes the JVM handshake with all of its threads (tens of
 * microseconds on a small machine, far more with many threads), so closing the dozen files of a
 * segment one shared arena each costs a dozen handshakes. One arena per segment pays it once.
 * Files without a group key get an arena of their own.
 */
final class SharedArenaGroup {
    /**
     * How many files one arena may serve over its life. A group whose files are opened and
     * closed again and again (a searcher reopened many times) would otherwise keep one arena
     * alive forever with its cleanup list growing; past this count the group starts a new arena.
     */
    static final int MAX_FILES_PER_ARENA = 1024;

    private final ConcurrentHashMap<String, CountedArena> arenas = new ConcurrentHashMap<>();

    /**
     * Returns an arena for a file, counted as one more user: closing the returned arena releases
     * that use, and the last release closes the memory.
     *
     * @param fileName the file's name in the directory
     * @param grouping maps a file name to its group key, or empty for a file of its own
     * @return an open shared arena
     */
    Arena acquire(String fileName, Function<String, Optional<String>> grouping) {
        Optional<String> key = grouping.apply(fileName);
        if (key.isEmpty()) {
            return Arena.ofShared();
        }
        String group = key.get();
        CountedArena[] acquired = new CountedArena[1];
        arenas.compute(group, (k, current) -> {
            if (current != null && current.tryAcquire()) {
                acquired[0] = current;
                return current;
            }
            CountedArena fresh = new CountedArena(k);
            fresh.tryAcquire();
            acquired[0] = fresh;
            return fresh;
        });
        return acquired[0];
    }

    /** How many groups have an open arena (for tests). */
    int openGroups() {
        return arenas.size();
    }

    /** A shared arena closed by the last of its users' closes. */
    private final class CountedArena implements Arena {
        private final Arena delegate = Arena.ofShared();
        private final String key;
        /** Acquisitions still allowed; guarded by this. */
        private int permits = MAX_FILES_PER_ARENA;
        /** Users that have not closed yet; guarded by this. */
        private int users;
        /** Set when the last user left: no acquisition revives it; guarded by this. */
        private boolean finished;

        CountedArena(String key) {
            this.key = key;
        }

        synchronized boolean tryAcquire() {
            if (finished || permits == 0) {
                return false;
            }
            permits--;
            users++;
            return true;
        }

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            return delegate.allocate(byteSize, byteAlignment);
        }

        @Override
        public MemorySegment.Scope scope() {
            return delegate.scope();
        }

        @Override
        public void close() {
            synchronized (this) {
                if (users == 0) {
                    throw new IllegalStateException("arena of group " + key + " released more often than acquired");
                }
                users--;
                if (users > 0) {
                    return;
                }
                finished = true;
            }
            arenas.remove(key, this);
            delegate.close();
        }

        @Override
        public String toString() {
            return "SharedArenaGroup.CountedArena[group=" + key + "]";
        }
    }
}
