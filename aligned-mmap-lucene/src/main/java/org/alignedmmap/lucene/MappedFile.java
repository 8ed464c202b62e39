package org.alignedmmap.lucene;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.alignedmmap.Access;
import org.alignedmmap.Advice;
import org.alignedmmap.HugePageReport;
import org.alignedmmap.HugePages;
import org.alignedmmap.Mmap;
import org.alignedmmap.MmapOptions;
import org.alignedmmap.SystemAlignment;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.ReadAdvice;

/**
 * One index file mapped read-only with the library, its memory bound to an arena of the
 * directory's (so that the arena's close unmaps it, and the segment's bounds and liveness checks
 * are the JDK's own). Holds the {@link Mmap} for what needs the kernel: advice and the huge page
 * report.
 */
final class MappedFile {
    private static final long PAGE = SystemAlignment.pageSize();

    private final Mmap mmap;
    private final MemorySegment segment;

    private MappedFile(Mmap mmap) {
        this.mmap = mmap;
        this.segment = mmap.segment();
    }

    /**
     * Maps a whole non-empty file.
     *
     * @param path the file, on the default file system
     * @param arena the arena the memory is bound to
     * @param hugePages whether to map it for transparent huge pages (aligned to their size, with
     *     {@code MADV_HUGEPAGE}); the caller checks they are available
     * @param rebuildPageCache whether to rebuild the file's page cache in huge folios first
     * @param preload whether to fault the whole file in now
     * @param advice the read advice to give the kernel; NORMAL gives none
     * @return the mapping
     * @throws IOException if the file cannot be opened or mapped
     */
    static MappedFile map(Path path, Arena arena, boolean hugePages, boolean rebuildPageCache, boolean preload,
                          ReadAdvice advice)
            throws IOException {
        MmapOptions options = Mmap.options().access(Access.READ).trackFd(false).arena(arena).populate(preload);
        if (hugePages) {
            options.hugePages(HugePages.TRANSPARENT).rebuildPageCache(rebuildPageCache);
        }
        MappedFile file = new MappedFile(options.map(path));
        if (advice != ReadAdvice.NORMAL) {
            // A fresh mapping's advice is already NORMAL: saying it again would cost a syscall.
            file.advise(advice, 0, file.length());
        }
        return file;
    }

    /** The whole file's bytes, read-only, alive while the arena is. */
    MemorySegment segment() {
        return segment;
    }

    long length() {
        return segment.byteSize();
    }

    /** The mapping's huge page report (smaps): how much of it huge pages back, and why not more. */
    HugePageReport hugePageReport() {
        return mmap.hugePageReport();
    }

    long address() {
        return segment.address();
    }

    /**
     * Gives the kernel a read advice for a range of the file.
     *
     * @param advice Lucene's advice, translated to the library's {@link Advice}
     * @param offset the first byte of the range
     * @param length the range's length; clamped to the file
     * @throws IOException if the kernel refuses the advice
     * @throws AlreadyClosedException if the memory is unmapped
     */
    void advise(ReadAdvice advice, long offset, long length) throws IOException {
        kernelAdvice(toAdvice(advice), offset, length);
    }

    /** Asks the kernel to read a range ahead ({@code MADV_WILLNEED}). */
    void willNeed(long offset, long length) throws IOException {
        kernelAdvice(Advice.WILLNEED, offset, length);
    }

    private void kernelAdvice(Advice advice, long offset, long length) throws IOException {
        if (length == 0) {
            return;
        }
        // madvise wants a page-aligned start: round down, which the mapping always contains since
        // it starts on a page boundary.
        long start = offset - (offset % PAGE);
        try {
            mmap.advise(advice, start, length + (offset - start));
        } catch (IllegalStateException e) {
            throw new AlreadyClosedException("Already closed: " + mmap, e);
        }
    }

    static Advice toAdvice(ReadAdvice advice) {
        return switch (advice) {
            case NORMAL -> Advice.NORMAL;
            case RANDOM -> Advice.RANDOM;
            case SEQUENTIAL -> Advice.SEQUENTIAL;
        };
    }
}
