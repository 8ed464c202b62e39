package org.alignedmmap.internal;

import java.lang.foreign.MemorySegment;

/**
 * Finds bytes and byte sequences in memory segments, forwards and backwards, in pure Java.
 *
 * <p>Why not libc's {@code memchr}/{@code memmem}: a page of a mapped file that was truncated
 * raises SIGBUS when touched. Inside Java code accessing a segment the JVM turns that into an
 * {@link InternalError}; inside a native call it kills the process. Scans of mapped memory must
 * therefore stay in Java.
 *
 * <p>Two kernels do the work: {@link VectorSearch} with {@code jdk.incubator.vector} when the JVM
 * was started with {@code --add-modules jdk.incubator.vector} (the module is an incubator, so it
 * cannot be required), and {@link SwarSearch}, eight bytes per {@code long}, everywhere. The
 * system property {@code org.alignedmmap.vector=false} forces the portable kernel.
 */
public final class ByteSearch {
    /** Chosen once: the boot layer cannot gain or lose modules while the JVM runs. */
    private static final boolean VECTOR = Boolean.parseBoolean(System.getProperty("org.alignedmmap.vector", "true"))
            && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && VectorSearch.usable();

    private ByteSearch() {}

    /**
     * Tells which kernel runs.
     *
     * @return "vector (N-byte lanes)" or "swar (8-byte words)"
     */
    public static String kernel() {
        return VECTOR ? VectorSearch.describe() : "swar (8-byte words)";
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
            return VECTOR ? VectorSearch.indexOf(segment, from, to, needle[0])
                    : SwarSearch.indexOf(segment, from, to, needle[0]);
        }
        return VECTOR ? VectorSearch.indexOf(segment, from, to, needle)
                : SwarSearch.indexOf(segment, from, to, needle);
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
            return VECTOR ? VectorSearch.lastIndexOf(segment, from, to, needle[0])
                    : SwarSearch.lastIndexOf(segment, from, to, needle[0]);
        }
        return VECTOR ? VectorSearch.lastIndexOf(segment, from, to, needle)
                : SwarSearch.lastIndexOf(segment, from, to, needle);
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
        return VECTOR ? VectorSearch.indexOf(segment, from, to, b) : SwarSearch.indexOf(segment, from, to, b);
    }

    /** A needle of two or more bytes, prepared once per search for the kernels' verification. */
    static final class Needle {
        private static final java.lang.foreign.ValueLayout.OfLong WORD =
                java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

        final byte[] bytes;
        final MemorySegment segment;
        /** The first eight bytes as one word: most false candidates differ there. */
        private final long prefix;

        Needle(byte[] bytes) {
            this.bytes = bytes;
            this.segment = MemorySegment.ofArray(bytes);
            this.prefix = bytes.length >= 8 ? segment.get(WORD, 0) : 0;
        }

        /**
         * Compares with the haystack's bytes at {@code position}, in Java.
         *
         * @return true if all bytes are equal
         */
        boolean matchesAt(MemorySegment haystack, long position) {
            int n = bytes.length;
            if (n < 8) {
                for (int k = 0; k < n; k++) {
                    if (haystack.get(java.lang.foreign.ValueLayout.JAVA_BYTE, position + k) != bytes[k]) {
                        return false;
                    }
                }
                return true;
            }
            if (haystack.get(WORD, position) != prefix) {
                return false;
            }
            if (n <= 16) {
                // The last eight bytes, overlapping the prefix when n < 16.
                return haystack.get(WORD, position + n - 8) == segment.get(WORD, n - 8);
            }
            // The JDK's vectorized comparison; it runs in Java code, so a fault stays an exception.
            return MemorySegment.mismatch(haystack, position + 8, position + n, segment, 8, n) == -1;
        }
    }
}
