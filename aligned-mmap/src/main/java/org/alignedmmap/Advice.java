package org.alignedmmap;

import org.alignedmmap.internal.OperatingSystem;

/**
 * The {@code madvise(2)} advice values Linux accepts, for {@link Mmap#advise(Advice, long, long)};
 * CPython's {@code mmap.MADV_*}. Which of them the running kernel knows is answered by {@link
 * #isSupported()}. Memory-poisoning advice ({@code MADV_HWPOISON}, {@code MADV_SOFT_OFFLINE}) is
 * left out on purpose: it is a kernel test tool that damages pages.
 */
public enum Advice {
    /** No special treatment. */
    NORMAL(0),
    /** Expect random access: read ahead less. */
    RANDOM(1),
    /** Expect sequential access: read ahead more, free behind. */
    SEQUENTIAL(2),
    /** Expect access soon: start reading in. */
    WILLNEED(3),
    /**
     * Not needed for now: drop the pages. File pages are read again on access; anonymous and
     * copy-on-write pages come back zero-filled, so private data is lost.
     */
    DONTNEED(4),
    /** Private anonymous pages may be freed lazily, their contents lost (Linux 4.5). */
    FREE(8),
    /** Free the range and its backing store: punches a hole in a shared file mapping (Linux 2.6.16). */
    REMOVE(9),
    /** Do not make the range available to a child after fork. */
    DONTFORK(10),
    /** Undo {@link #DONTFORK}. */
    DOFORK(11),
    /** Let KSM merge identical pages (needs a kernel with KSM). */
    MERGEABLE(12),
    /** Undo {@link #MERGEABLE}. */
    UNMERGEABLE(13),
    /** Back the range with transparent huge pages where possible (needs THP). */
    HUGEPAGE(14),
    /** Do not back the range with transparent huge pages. */
    NOHUGEPAGE(15),
    /** Leave the range out of core dumps (Linux 3.4). */
    DONTDUMP(16),
    /** Undo {@link #DONTDUMP}. */
    DODUMP(17),
    /** A child after fork sees the range zero-filled (private anonymous only, Linux 4.14). */
    WIPEONFORK(18),
    /** Undo {@link #WIPEONFORK}. */
    KEEPONFORK(19),
    /** Deactivate the pages: reclaim them first under pressure (Linux 5.4). */
    COLD(20),
    /** Reclaim the pages now (Linux 5.4). */
    PAGEOUT(21),
    /** Fault the pages in readable now, like reading every page (Linux 5.14). */
    POPULATE_READ(22),
    /** Fault the pages in writable now, like writing every page (Linux 5.14). */
    POPULATE_WRITE(23),
    /** Like {@link #DONTNEED}, also for locked pages (Linux 5.18). */
    DONTNEED_LOCKED(24),
    /** Collapse the range into transparent huge pages now, synchronously (Linux 6.1, needs THP). */
    COLLAPSE(25);

    private final int value;

    Advice(int value) {
        this.value = value;
    }

    /**
     * Returns the raw {@code MADV_*} value passed to {@code madvise(2)}.
     *
     * @return the Linux value
     */
    public int value() {
        return value;
    }

    /**
     * Tells whether the running kernel knows this advice: it is at least the version that
     * introduced it and, for advice that needs an optional kernel feature (KSM, transparent huge
     * pages), that feature is present. The kernel may still refuse the advice for a particular
     * kind of mapping (for example {@link #REMOVE} on private memory).
     *
     * @return true if {@code madvise} with this value can succeed here
     */
    public boolean isSupported() {
        return OperatingSystem.current().supports(this);
    }
}
