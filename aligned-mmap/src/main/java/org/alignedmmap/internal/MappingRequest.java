package org.alignedmmap.internal;

import java.util.Objects;
import org.alignedmmap.HugePages;

/**
 * What a mapping needs from the operating system, resolved by {@link org.alignedmmap.MmapOptions}
 * or {@link NativeMemory}: every value already checked on its own; {@link OperatingSystem#map}
 * checks how they combine with the system.
 *
 * @param file the file to map, or null for anonymous memory; the region takes it over when
 *     {@code keepFile}, else the caller still owns it
 * @param keepFile whether the region keeps the file open for its lifetime
 * @param offset the file offset, a multiple of the allocation granularity; 0 for anonymous memory
 * @param length the bytes to map, at least 1
 * @param align the alignment of the address, a power of two
 * @param prot {@code PROT_*} bits
 * @param flags {@code MAP_*} bits, {@code MAP_ANONYMOUS} for anonymous memory
 * @param sharingChosen whether the caller chose the sharing type (flags or an access mode), which
 *     a system may otherwise pick for huge pages
 * @param hugePages the kind of pages
 * @param populate whether to fault every page in while mapping
 * @param rebuildPageCache whether to write back and drop the file range's page cache first, so
 *     that the huge page mapping reads it back in huge folios (files with transparent huge pages)
 */
public record MappingRequest(OpenFile file, boolean keepFile, long offset, long length, long align, int prot,
                             int flags, boolean sharingChosen, HugePages hugePages, boolean populate,
                             boolean rebuildPageCache) {
    /** Checks the invariants the callers promise. */
    public MappingRequest {
        Objects.requireNonNull(hugePages, "hugePages");
        if (length <= 0 || offset < 0 || !PowerOfTwo.isPowerOfTwo(align)) {
            throw new IllegalArgumentException("bad mapping request: offset " + offset + ", length " + length
                    + ", align " + align);
        }
    }

    /**
     * Describes private, readable and writable anonymous memory, as allocations use.
     *
     * @param length the bytes, at least 1
     * @param align a power of two
     * @param hugePages the kind of pages
     * @return the request
     */
    public static MappingRequest anonymousMemory(long length, long align, HugePages hugePages) {
        return new MappingRequest(null, false, 0, length, align,
                org.alignedmmap.MmapConstants.PROT_READ | org.alignedmmap.MmapConstants.PROT_WRITE,
                org.alignedmmap.MmapConstants.MAP_PRIVATE | org.alignedmmap.MmapConstants.MAP_ANONYMOUS, true,
                hugePages, false, false);
    }

    /**
     * Tells whether this maps anonymous memory.
     *
     * @return true without a file
     */
    public boolean anonymous() {
        return file == null;
    }
}
