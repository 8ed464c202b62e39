package org.alignedmmap;

import java.util.StringJoiner;

/**
 * The raw {@code mmap(2)} values that {@link MmapOptions#flags(int)} and {@link
 * MmapOptions#prot(int)} accept, as CPython's {@code mmap} module exposes them, with this
 * platform's values.
 *
 * <p>The library runs on Linux (x86-64, AArch64, RISC-V 64), whose values these are; they come
 * from the kernel's generic {@code <asm-generic/mman-common.h>}, which all three share. Prefer
 * {@link Access} unless you need a flag it does not cover, such as {@link #MAP_POPULATE}.
 */
public final class MmapConstants {
    /** Pages may not be accessed at all; used for address-space reservations. */
    public static final int PROT_NONE = 0x0;
    /** Pages may be read. */
    public static final int PROT_READ = 0x1;
    /** Pages may be written. */
    public static final int PROT_WRITE = 0x2;
    /** Pages may be executed. Never set by the library unless the caller asks for it. */
    public static final int PROT_EXEC = 0x4;

    /** Writes are shared with the file and with every other mapping of it. */
    public static final int MAP_SHARED = 0x01;
    /** Writes are private to this mapping (copy-on-write); the file never sees them. */
    public static final int MAP_PRIVATE = 0x02;
    /** Like {@link #MAP_SHARED}, but the kernel rejects flags it does not know. */
    public static final int MAP_SHARED_VALIDATE = 0x03;
    /** The mask that selects the sharing type among the flags. */
    public static final int MAP_TYPE = 0x0f;
    /**
     * Place the mapping exactly at the given address, replacing what is there. The library uses it
     * only inside reservations it owns and refuses it from callers.
     */
    public static final int MAP_FIXED = 0x10;
    /** Not backed by a file; the memory starts zeroed. Implied by {@link MmapOptions#anonymous}. */
    public static final int MAP_ANONYMOUS = 0x20;
    /** Do not reserve swap space for this mapping. */
    public static final int MAP_NORESERVE = 0x4000;
    /** Pre-fault the whole mapping while mapping it (read-ahead for files). */
    public static final int MAP_POPULATE = 0x8000;
    /** Do not block on I/O while populating. */
    public static final int MAP_NONBLOCK = 0x10000;
    /** The mapping is meant for a thread stack. */
    public static final int MAP_STACK = 0x20000;
    /** Back the mapping with pages of the hugetlb pool. */
    public static final int MAP_HUGETLB = 0x40000;
    /** Like {@link #MAP_FIXED} but fails with EEXIST instead of replacing (Linux 4.17+). */
    public static final int MAP_FIXED_NOREPLACE = 0x100000;
    /** The shift of log2(huge page size) inside the flags, used together with {@link #MAP_HUGETLB}. */
    public static final int MAP_HUGE_SHIFT = 26;
    /** The mask of the huge page size bits, once shifted down by {@link #MAP_HUGE_SHIFT}. */
    public static final int MAP_HUGE_MASK = 0x3f;
    /** {@link #MAP_HUGETLB} with 2 MiB pages. */
    public static final int MAP_HUGE_2MB = 21 << MAP_HUGE_SHIFT;
    /** {@link #MAP_HUGETLB} with 1 GiB pages. */
    public static final int MAP_HUGE_1GB = 30 << MAP_HUGE_SHIFT;

    /** {@code msync}: schedule the write-back and return. */
    public static final int MS_ASYNC = 1;
    /** {@code msync}: invalidate other mappings of the same file. */
    public static final int MS_INVALIDATE = 2;
    /** {@code msync}: write back and wait for it. */
    public static final int MS_SYNC = 4;

    /** {@code mremap}: the kernel may move the mapping. */
    public static final int MREMAP_MAYMOVE = 1;
    /** {@code mremap}: move the mapping to the given address (needs {@link #MREMAP_MAYMOVE}). */
    public static final int MREMAP_FIXED = 2;

    private MmapConstants() {}

    /**
     * Spells protection bits the way {@code <sys/mman.h>} does.
     *
     * @param prot protection bits
     * @return for example {@code "PROT_READ|PROT_WRITE"}, {@code "PROT_NONE"}, or the names
     *     followed by the unknown rest in hexadecimal
     */
    public static String describeProt(int prot) {
        if (prot == PROT_NONE) {
            return "PROT_NONE";
        }
        StringJoiner names = new StringJoiner("|");
        int rest = prot;
        rest = name(names, rest, PROT_READ, "PROT_READ");
        rest = name(names, rest, PROT_WRITE, "PROT_WRITE");
        rest = name(names, rest, PROT_EXEC, "PROT_EXEC");
        if (rest != 0) {
            names.add("0x" + Integer.toHexString(rest));
        }
        return names.toString();
    }

    /**
     * Spells mapping flags the way {@code <sys/mman.h>} does.
     *
     * @param flags mapping flags
     * @return for example {@code "MAP_SHARED|MAP_POPULATE"}, or the names followed by the unknown
     *     rest in hexadecimal
     */
    public static String describeFlags(int flags) {
        StringJoiner names = new StringJoiner("|");
        int rest = flags;
        switch (flags & MAP_TYPE) {
            case MAP_SHARED -> names.add("MAP_SHARED");
            case MAP_PRIVATE -> names.add("MAP_PRIVATE");
            case MAP_SHARED_VALIDATE -> names.add("MAP_SHARED_VALIDATE");
            case 0 -> { }
            default -> names.add("MAP_TYPE=0x" + Integer.toHexString(flags & MAP_TYPE));
        }
        rest &= ~MAP_TYPE;
        rest = name(names, rest, MAP_FIXED, "MAP_FIXED");
        rest = name(names, rest, MAP_ANONYMOUS, "MAP_ANONYMOUS");
        rest = name(names, rest, MAP_NORESERVE, "MAP_NORESERVE");
        rest = name(names, rest, MAP_POPULATE, "MAP_POPULATE");
        rest = name(names, rest, MAP_NONBLOCK, "MAP_NONBLOCK");
        rest = name(names, rest, MAP_STACK, "MAP_STACK");
        rest = name(names, rest, MAP_HUGETLB, "MAP_HUGETLB");
        rest = name(names, rest, MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE");
        int hugeBits = (rest >>> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
        if (hugeBits != 0) {
            names.add("MAP_HUGE_" + describeSize(1L << hugeBits));
            rest &= ~(MAP_HUGE_MASK << MAP_HUGE_SHIFT);
        }
        if (rest != 0) {
            names.add("0x" + Integer.toHexString(rest));
        }
        return names.length() == 0 ? "0" : names.toString();
    }

    private static int name(StringJoiner names, int bits, int flag, String name) {
        if ((bits & flag) != 0) {
            names.add(name);
            return bits & ~flag;
        }
        return bits;
    }

    private static String describeSize(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GB";
        }
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MB";
        }
        return (bytes >> 10) + "KB";
    }
}
