package org.alignedmmap.internal.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import org.alignedmmap.Advice;
import org.alignedmmap.ErrnoException;

/** How the pages of a fresh mapping are faulted in up front: not at all, or with read or write faults. */
enum Population {
    /** No population. */
    NONE,
    /** Read faults: page cache pages mapped, the zero page for private anonymous memory. */
    READ,
    /** Write faults: pages of its own for private anonymous memory. */
    WRITE;

    /**
     * Populates a page-aligned range: {@code madvise(MADV_POPULATE_*)} on Linux 5.14+, one
     * access per page from Java before.
     *
     * @param system the system, for the kernel's abilities and the page size
     * @param address the start, page-aligned
     * @param span the bytes, whole pages
     * @throws ErrnoException if the kernel refuses (out of memory, a file shorter than the range)
     */
    void apply(LinuxSystem system, long address, long span) throws ErrnoException {
        if (this == NONE || span == 0) {
            return;
        }
        Advice advice = this == WRITE ? Advice.POPULATE_WRITE : Advice.POPULATE_READ;
        if (system.supports(advice)) {
            LibC.madvise(address, span, advice.value());
        } else {
            touch(address, span, system.pageSize(), this == WRITE);
        }
    }

    /**
     * Faults every page of a range in from Java, for kernels without {@code MADV_POPULATE_*}.
     * Java code, not a downcall: a page of a truncated file then raises an {@link InternalError}
     * instead of killing the JVM. Writes only on fresh anonymous memory, where a zero changes
     * nothing.
     *
     * @return the sum of the bytes read, so that the reads cannot be optimized away
     */
    @SuppressWarnings("restricted") // a range of a mapping just made, of this length
    private static long touch(long address, long span, long page, boolean write) {
        MemorySegment memory = MemorySegment.ofAddress(address).reinterpret(span);
        long sum = 0;
        for (long at = 0; at < span; at += page) {
            if (write) {
                memory.set(JAVA_BYTE, at, (byte) 0);
            } else {
                sum += memory.get(JAVA_BYTE, at);
            }
        }
        return sum;
    }
}
