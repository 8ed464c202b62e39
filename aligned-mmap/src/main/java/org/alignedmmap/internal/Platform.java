package org.alignedmmap.internal;

import java.util.Locale;

/**
 * Facts about the running system that never change while the JVM lives: the operating system,
 * the page size. Checked once, so that an unsupported platform fails with one clear message
 * instead of a wrong constant deep inside a system call.
 */
public final class Platform {
    /** {@code _SC_PAGESIZE} in glibc's and musl's {@code <unistd.h>} on Linux. */
    private static final int SC_PAGESIZE = 30;

    /** {@code _SC_LEVEL1_DCACHE_LINESIZE}: glibc only; musl answers -1. */
    private static final int SC_LEVEL1_DCACHE_LINESIZE = 190;

    private static final String OS = System.getProperty("os.name", "?");
    private static final String ARCH = System.getProperty("os.arch", "?");

    /**
     * The architectures whose {@code mman.h}, {@code fcntl.h} and errno values are the kernel's
     * generic ones, which {@link org.alignedmmap.MmapConstants}, {@link LibC} and {@link Errno}
     * hold. Others (MIPS, PowerPC, SPARC) number some of them differently.
     */
    private static final boolean SUPPORTED = OS.toLowerCase(Locale.ROOT).startsWith("linux")
            && (ARCH.equals("amd64") || ARCH.equals("x86_64") || ARCH.equals("aarch64") || ARCH.equals("riscv64"));

    private static final class PageSize {
        static final long VALUE = readPageSize();
    }

    private Platform() {}

    /**
     * Fails unless the library can run here.
     *
     * @throws UnsupportedOperationException on anything but Linux on x86-64, AArch64 or RISC-V 64
     */
    public static void requireSupported() {
        if (!SUPPORTED) {
            throw new UnsupportedOperationException("aligned-mmap runs on Linux (x86-64, AArch64, RISC-V 64); "
                    + "this is " + OS + " on " + ARCH);
        }
    }

    /**
     * Returns the size of a base page, from {@code sysconf(_SC_PAGESIZE)}.
     *
     * @return the page size in bytes, a power of two
     */
    public static long pageSize() {
        return PageSize.VALUE;
    }

    /**
     * Returns the size of the L1 data cache line.
     *
     * @return the line size in bytes, or -1 when the C library cannot tell
     */
    public static long cacheLineSize() {
        requireSupported();
        long size = LibC.sysconf(SC_LEVEL1_DCACHE_LINESIZE);
        return size > 0 ? size : -1;
    }

    private static long readPageSize() {
        requireSupported();
        long size = LibC.sysconf(SC_PAGESIZE);
        if (size <= 0 || Long.bitCount(size) != 1) {
            throw new IllegalStateException("sysconf(_SC_PAGESIZE) returned " + size);
        }
        return size;
    }
}
