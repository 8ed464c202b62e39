package org.alignedmmap.testing;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.alignedmmap.Access;
import org.alignedmmap.Mmap;
import org.alignedmmap.SystemAlignment;
import org.alignedmmap.internal.linux.LibC;

/**
 * The state of the pages behind a mapping, as the kernel keeps it: /proc/self/pagemap gives the
 * physical frame of each virtual page, /proc/kpageflags the flags of each frame (both need root).
 * A page of a shared file mapping is dirty from the first write until it is written back, so the
 * DIRTY flag shows which pages an {@code msync} wrote. Also eviction and residency of a file's
 * page cache, to make a read come from the disk.
 */
public final class PageFlags {
    private static final long PAGE = SystemAlignment.pageSize();
    private static final long PRESENT = 1L << 63;
    private static final long PFN_MASK = (1L << 55) - 1;
    private static final int KPF_DIRTY = 4;
    private static final int KPF_COMPOUND_HEAD = 15;
    private static final int KPF_COMPOUND_TAIL = 16;
    private static final int POSIX_FADV_DONTNEED = 4;

    private static final MethodHandle POSIX_FADVISE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("posix_fadvise").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    /** One virtual page: whether it is mapped to a frame, and that frame's flags. */
    public record Page(boolean present, long flags) {
        public boolean dirty() {
            return present && (flags & (1L << KPF_DIRTY)) != 0;
        }

        public boolean compoundHead() {
            return (flags & (1L << KPF_COMPOUND_HEAD)) != 0;
        }

        public boolean compoundTail() {
            return (flags & (1L << KPF_COMPOUND_TAIL)) != 0;
        }
    }

    private PageFlags() {}

    /** Whether this process may read the frame numbers and their flags (root, and a kernel with them). */
    public static boolean available() {
        return Files.isReadable(Path.of("/proc/kpageflags")) && Files.isReadable(Path.of("/proc/self/pagemap"));
    }

    /** The pages of {@code [address, address + pages * PAGE)}, in order. */
    public static Page[] of(long address, int pages) throws IOException {
        Page[] result = new Page[pages];
        try (FileChannel pagemap = FileChannel.open(Path.of("/proc/self/pagemap"));
             FileChannel kpageflags = FileChannel.open(Path.of("/proc/kpageflags"))) {
            ByteBuffer entries = ByteBuffer.allocate(8 * pages).order(ByteOrder.nativeOrder());
            readFully(pagemap, entries, address / PAGE * 8);
            ByteBuffer flags = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            for (int i = 0; i < pages; i++) {
                long entry = entries.getLong(i * 8);
                if ((entry & PRESENT) == 0) {
                    result[i] = new Page(false, 0);
                    continue;
                }
                long pfn = entry & PFN_MASK;
                if (pfn == 0) {
                    throw new IllegalStateException("pagemap hides frame numbers: not root?");
                }
                flags.clear();
                readFully(kpageflags, flags, pfn * 8);
                result[i] = new Page(true, flags.getLong(0));
            }
        }
        return result;
    }

    /**
     * The first and last page (inclusive) of the folio that holds page {@code index}: the page
     * itself unless the page cache put it in a large folio, whose pages are written back together.
     */
    public static int[] folioOf(Page[] pages, int index) {
        int first = index;
        while (first > 0 && pages[first].compoundTail()) {
            first--;
        }
        int last = index;
        if (pages[first].compoundHead() || pages[index].compoundTail()) {
            while (last + 1 < pages.length && pages[last + 1].compoundTail()) {
                last++;
            }
        }
        return new int[] {first, last};
    }

    /** Drops a file's clean, unmapped pages from the page cache, so that the next read goes to disk. */
    public static void evict(Path file) throws IOException {
        int fd = LibC.open(file.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        try {
            int rc = (int) POSIX_FADVISE.invokeExact(fd, 0L, 0L, POSIX_FADV_DONTNEED);
            if (rc != 0) {
                throw new IOException("posix_fadvise(DONTNEED) failed: " + rc);
            }
        } catch (Throwable t) {
            if (t instanceof IOException e) {
                throw e;
            }
            throw new IllegalStateException(t);
        } finally {
            LibC.close(fd);
        }
    }

    /** How many pages of {@code file} are in the page cache now (mincore of a fresh mapping). */
    public static long residentPages(Path file) throws IOException {
        long size = Files.size(file);
        try (Mmap m = Mmap.options().access(Access.READ).map(file); Arena arena = Arena.ofConfined()) {
            long pages = (size + PAGE - 1) / PAGE;
            MemorySegment vector = arena.allocate(pages);
            LibC.mincore(m.address(), m.length(), vector);
            long resident = 0;
            for (long i = 0; i < pages; i++) {
                resident += vector.get(ValueLayout.JAVA_BYTE, i) & 1;
            }
            return resident;
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("short read at " + position);
            }
        }
    }
}
