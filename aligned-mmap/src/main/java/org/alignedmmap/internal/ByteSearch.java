package org.alignedmmap.internal;

import java.lang.foreign.MemorySegment;

/**
 * Finds bytes and byte sequences in memory segments, forwards and backwards, in pure Java: the
 * one entry point of {@code Mmap}'s {@code find}, {@code rfind} and {@code readLine}.
 *
 * <p>Why not libc's {@code memchr}/{@code memmem}: a page of a mapped file that was truncated
 * raises SIGBUS when touched. Inside Java code accessing a segment the JVM turns that into an
 * {@link InternalError}; inside a native call it kills the process. Scans of mapped memory must
 * therefore stay in Java.
 *
 * <p>This class checks the range, handles empty needles as Python does, and hands the rest to
 * the kernel {@link SearchKernels} chose once: {@link SwarSearch}, which C2 auto-vectorizes on
 * every JVM, or {@code VectorSearch} on {@code jdk.incubator.vector} when the JVM was started
 * with {@code --add-modules jdk.incubator.vector}. The system property
 * {@code org.alignedmmap.vector=false} forces the portable kernel.
 */
public final class ByteSearch {
    /** Chosen once: the boot layer cannot gain or lose modules while the JVM runs. */
    private static final SearchKernel KERNEL = SearchKernels.choose();

    private ByteSearch() {}

    /**
     * Tells which kernel runs.
     *
     * @return "vector (N-byte lanes)" or "swar (8-byte words, N-byte blocks)"
     */
    public static String kernel() {
        return KERNEL.describe();
    }

    /**
     * Returns the lowest index in {@code [from, to - needle.length]} where {@code needle} starts.
     *
     * @param segment the haystack
     * @param from first index to consider, {@code 0 <= from}
     * @param to end of the searched range (exclusive), {@code from <= to <= segment.byteSize()}
     * @param needle the bytes to find; empty matches at {@code from}
     * @return the index, or -1
     */
    public static long indexOf(MemorySegment segment, long from, long to, byte[] needle) {
        if (needle.length == 0) {
            return from <= to ? from : -1;
        }
        if (to - from < needle.length) {
            return -1;
        }
        if (needle.length == 1) {
            return KERNEL.indexOf(segment, from, to, needle[0]);
        }
        return KERNEL.indexOf(segment, from, to, new Needle(needle));
    }

    /**
     * Returns the highest index in {@code [from, to - needle.length]} where {@code needle} starts.
     *
     * @param segment the haystack
     * @param from first index to consider
     * @param to end of the searched range (exclusive)
     * @param needle the bytes to find; empty matches at {@code to}
     * @return the index, or -1
     */
    public static long lastIndexOf(MemorySegment segment, long from, long to, byte[] needle) {
        if (needle.length == 0) {
            return from <= to ? to : -1;
        }
        if (to - from < needle.length) {
            return -1;
        }
        if (needle.length == 1) {
            return KERNEL.lastIndexOf(segment, from, to, needle[0]);
        }
        return KERNEL.lastIndexOf(segment, from, to, new Needle(needle));
    }

    /**
     * Returns the lowest index in {@code [from, to)} holding {@code b}, or -1.
     *
     * @param segment the haystack
     * @param from first index to consider
     * @param to end of the searched range (exclusive)
     * @param b the byte
     * @return the index, or -1
     */
    public static long indexOf(MemorySegment segment, long from, long to, byte b) {
        if (to <= from) {
            return -1;
        }
        return KERNEL.indexOf(segment, from, to, b);
    }
}
