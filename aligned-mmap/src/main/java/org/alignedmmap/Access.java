package org.alignedmmap;

/**
 * How a mapping may be used, with the meanings of CPython's {@code mmap.ACCESS_*} constants.
 *
 * <p>Any value but {@link #DEFAULT} chooses both the protection and the sharing of the mapping,
 * so it cannot be combined with {@link MmapOptions#flags(int)} or {@link MmapOptions#prot(int)}.
 */
public enum Access {
    /**
     * Whatever {@link MmapOptions#flags(int)} and {@link MmapOptions#prot(int)} say; by default
     * {@code MAP_SHARED} and {@code PROT_READ | PROT_WRITE}, which behaves like {@link #WRITE}.
     */
    DEFAULT,
    /** Read-only: {@code MAP_SHARED}, {@code PROT_READ}. Writes throw. */
    READ,
    /** Read and write, shared with the file: {@code MAP_SHARED}, {@code PROT_READ | PROT_WRITE}. */
    WRITE,
    /**
     * Read and write, private copy-on-write: {@code MAP_PRIVATE}, {@code PROT_READ | PROT_WRITE}.
     * The file is opened read-only and never changes.
     */
    COPY
}
