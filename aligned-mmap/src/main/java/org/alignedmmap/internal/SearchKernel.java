package org.alignedmmap.internal;

import java.lang.foreign.MemorySegment;

/**
 * One way of searching memory, chosen once per JVM by {@link ByteSearch}: the portable
 * {@link SwarSearch}, or {@code VectorSearch} when {@code jdk.incubator.vector} is in the boot
 * layer.
 *
 * <p>Callers have checked the arguments: {@code 0 <= from}, {@code to <= s.byteSize()}, and for
 * a needle {@code to - from >= needle.length() >= 2}. Every access goes through the segment in
 * Java, so a fault on a truncated mapped file becomes an {@link InternalError} instead of a crash.
 */
interface SearchKernel {
    /**
     * Returns the lowest index in {@code [from, to)} holding {@code b}, or -1.
     *
     * @throws InternalError if the range holds pages of a mapped file that was truncated
     */
    long indexOf(MemorySegment s, long from, long to, byte b);

    /**
     * Returns the highest index in {@code [from, to)} holding {@code b}, or -1.
     *
     * @throws InternalError if the range holds pages of a mapped file that was truncated
     */
    long lastIndexOf(MemorySegment s, long from, long to, byte b);

    /**
     * Returns the lowest start in {@code [from, to - n]} where the needle of {@code n >= 2} bytes
     * lies, or -1.
     *
     * @throws InternalError if the range holds pages of a mapped file that was truncated
     */
    long indexOf(MemorySegment s, long from, long to, Needle needle);

    /**
     * Returns the highest start in {@code [from, to - n]} where the needle of {@code n >= 2} bytes
     * lies, or -1.
     *
     * @throws InternalError if the range holds pages of a mapped file that was truncated
     */
    long lastIndexOf(MemorySegment s, long from, long to, Needle needle);

    /**
     * Names the kernel for reports.
     *
     * @return "swar (...)" or "vector (...)"
     */
    String describe();
}
