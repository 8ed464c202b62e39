package org.alignedmmap.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.alignedmmap.Access;
import org.alignedmmap.Advice;
import org.alignedmmap.Aligned;
import org.alignedmmap.Backing;
import org.alignedmmap.HugePages;
import org.alignedmmap.Mmap;
import org.alignedmmap.MmapConstants;
import org.alignedmmap.SystemAlignment;
import org.alignedmmap.bench.ProcessMemory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: what alignment buys on this machine, in a few seconds. Maps one temporary file
 * at several alignments and shows what backs each mapping, allocates aligned memory next to the
 * JDK's way, and first-touches memory with and without huge pages. Cleans up after itself.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Show, on this machine, what aligned mappings and allocations look like and what they buy "
                + "(the default command).")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "DIR", description = "Where to make the temporary file (default: the "
            + "system's temporary directory). Huge pages for files need a file system that supports them, such as "
            + "ext4.")
    Path dir;

    @Option(names = "--size", paramLabel = "SIZE", converter = Sizes.Converter.class, defaultValue = "64M",
            description = "Size of the temporary file and of the allocations (default: ${DEFAULT-VALUE}).")
    long size;

    @Spec
    CommandSpec spec;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        if (size < (1 << 20)) {
            throw Checks.usage(spec, "--size must be at least 1 MiB, was " + Sizes.format(size));
        }
        if (dir != null && FileKind.of(dir) != FileKind.DIRECTORY) {
            throw Checks.usage(spec, "--dir " + dir + " is " + FileKind.of(dir).description() + ", not a directory");
        }
        long page = SystemAlignment.pageSize();
        long pmd = SystemAlignment.transparentHugePageSize().orElse(0);
        out.println("aligned-mmap demo: what alignment buys on this machine");
        out.printf("  %s %s %s, %d CPUs, page %s, transparent huge pages: %s%s, JDK %s%n%n",
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), Sizes.format(page),
                SystemAlignment.transparentHugePages().name().toLowerCase(Locale.ROOT),
                pmd > 0 ? " (" + Sizes.format(pmd) + ")" : "", System.getProperty("java.runtime.version"));
        Path file = Files.createTempFile(dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir")),
                "aligned-mmap-demo-", ".bin");
        try {
            fill(file, size);
            mappings(file, pmd);
            allocations();
            firstTouch(pmd);
        } finally {
            Files.deleteIfExists(file);
        }
        out.println("Done: the files are deleted and everything is unmapped. Timings above are quick runs;");
        out.println("'aligned-mmap bench' measures carefully, side by side with the JDK and CPython.");
        out.flush();
        return 0;
    }

    private void mappings(Path file, long pmd) throws Exception {
        long length = 3 * SystemAlignment.pageSize();
        out.printf("1. %s of one file, mapped at different alignments:%n", Sizes.format(length));
        out.printf("   %-34s %-16s %s%n", "asked for", "address", "aligned to");
        for (long align : new long[] {1, 64 << 10, 2 << 20, 1L << 30}) {
            try (Mmap m = Mmap.options().access(Access.READ).length(length).align(align).confined(true).map(file)) {
                out.printf("   %-34s 0x%-14x %s%n", "Mmap align " + Sizes.format(align), m.address(),
                        Sizes.format(Sizes.naturalAlignment(m.address())));
            }
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            MemorySegment s = channel.map(FileChannel.MapMode.READ_ONLY, 0, length, arena);
            out.printf("   %-34s 0x%-14x %s (the JDK cannot ask for more)%n", "JDK FileChannel.map", s.address(),
                    Sizes.format(Sizes.naturalAlignment(s.address())));
        }
        out.println();
        if (pmd == 0) {
            out.println("   (no transparent huge pages on this system: skipping what backs a file mapping)");
            out.println();
            return;
        }
        out.printf("   %s files, each written without the page cache, then read through a mapping;%n",
                Sizes.format(size));
        out.println("   what backs each mapping (from /proc/self/smaps):");
        long page = SystemAlignment.pageSize();
        Path fresh = Files.createTempFile(file.getParent(), "aligned-mmap-demo-", ".bin");
        try {
            fill(fresh, size);
            try (FileChannel channel = FileChannel.open(fresh, StandardOpenOption.READ);
                 Arena arena = Arena.ofConfined()) {
                MemorySegment s = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
                Describe.touchRead(s, page);
                out.printf("   %-38s %s%n", "file 1, JDK FileChannel.map", Describe.backing(Backing.of(s)));
            }
        } finally {
            Files.deleteIfExists(fresh);
        }
        try (Mmap m = Mmap.options().access(Access.READ).hugePages(HugePages.TRANSPARENT).confined(true).map(file)) {
            Describe.touchRead(m.segment(), page);
            out.printf("   %-38s %s%n", "file 2, Mmap huge pages (align " + Sizes.format(pmd) + ")",
                    Describe.backing(m.backing()));
        }
        try (Mmap m = Mmap.options().access(Access.READ).offset(page).align(pmd).confined(true).map(file)) {
            m.advise(Advice.HUGEPAGE);
            Describe.touchRead(m.segment(), page);
            out.printf("   %-38s %s%n", "file 2 again, file offset " + Sizes.format(page),
                    Describe.backing(m.backing()));
        }
        out.printf("   The kernel itself puts large mappings on %s boundaries when it can, and its read-ahead caches%n",
                Sizes.format(pmd));
        out.println("   files in growing pieces, so a plain mapping may get some huge pages. "
                + "Asking for them gets them");
        out.printf("   all; where address and file offset disagree modulo %s, none can be used.%n", Sizes.format(pmd));
        out.println();
    }

    private void allocations() throws Exception {
        long align = Long.highestOneBit(size);
        out.printf("2. %s of memory at %s alignment, without a file (time: allocate + free, median of warm calls):%n",
                Sizes.format(size), Sizes.format(align));
        out.printf("   %-22s %-12s %-22s %s%n", "", "time", "extra address space", "resident before any use");
        allocation("Aligned.allocate", arena -> Aligned.allocate(arena, size, align));
        allocation("JDK Arena.allocate", arena -> arena.allocate(size, align));
        out.println("   The JDK over-allocates by the alignment and zeroes everything at once; the kernel's fresh");
        out.println("   pages are already zero, so the aligned mapping costs nothing until it is used.");
        out.println();
    }

    private interface Allocation {
        MemorySegment allocate(Arena arena);
    }

    private void allocation(String label, Allocation allocation) throws Exception {
        long extra;
        long resident;
        try (Arena arena = Arena.ofConfined()) {
            long virtualBefore = ProcessMemory.virtual();
            long residentBefore = ProcessMemory.resident();
            MemorySegment s = allocation.allocate(arena);
            extra = Math.max(0, ProcessMemory.virtual() - virtualBefore - Aligned.alignUp(s.byteSize(),
                    SystemAlignment.pageSize()));
            resident = Math.max(0, ProcessMemory.resident() - residentBefore);
        }
        WarmTimer.Timing timing = WarmTimer.time(() -> {
            try (Arena arena = Arena.ofConfined()) {
                allocation.allocate(arena);
            }
        });
        double micros = timing.warmNanos() / 1e3;
        String time = micros >= 1000 ? String.format(Locale.ROOT, "%.1f ms", micros / 1e3)
                : String.format(Locale.ROOT, micros >= 10 ? "%.0f us" : "%.1f us", micros);
        out.printf("   %-22s %-12s %-22s %s%n", label, time, Sizes.format(extra), Sizes.format(resident));
    }

    private void firstTouch(long pmd) throws Exception {
        out.printf("3. Writing %s of fresh memory for the first time (best of 3):%n", Sizes.format(size));
        if (pmd == 0) {
            out.println("   (no transparent huge pages on this system: nothing to compare with)");
            out.println();
            return;
        }
        long small = Long.MAX_VALUE;
        long huge = Long.MAX_VALUE;
        String backing = "";
        // Alternating, so that neither kind always meets memory the other one just gave back.
        for (int round = 0; round < 3; round++) {
            small = Math.min(small, touch(HugePages.NONE).nanos);
            Touch t = touch(HugePages.TRANSPARENT);
            huge = Math.min(huge, t.nanos);
            backing = t.backing;
        }
        out.printf("   %-22s %6.1f ms  %5.1f GB/s%n", Sizes.format(SystemAlignment.pageSize()) + " pages", small / 1e6,
                size / (double) small);
        out.printf("   %-22s %6.1f ms  %5.1f GB/s  %s%n", Sizes.format(pmd) + " huge pages", huge / 1e6,
                size / (double) huge, backing);
        double ratio = (double) small / huge;
        out.printf("   One page fault per %s instead of one per %s: %s.%n", Sizes.format(pmd),
                Sizes.format(SystemAlignment.pageSize()), ratio >= 1 ? String.format(Locale.ROOT, "%.1fx faster", ratio)
                        : String.format(Locale.ROOT, "%.1fx slower here (a VM that returns free memory to its host "
                                + "makes fresh huge pages costly)", 1 / ratio));
        out.println();
    }

    private record Touch(long nanos, String backing) {}

    private Touch touch(HugePages huge) throws IOException {
        try (Mmap m = Mmap.options().flags(MmapConstants.MAP_PRIVATE).hugePages(huge).confined(true).anonymous(size)) {
            if (huge == HugePages.NONE) {
                m.advise(Advice.NOHUGEPAGE);
            }
            long start = System.nanoTime();
            m.segment().fill((byte) 1);
            long nanos = System.nanoTime() - start;
            return new Touch(nanos, Describe.backing(m.backing()));
        }
    }

    /**
     * Writes real (non-zero, so not sparse) bytes with O_DIRECT where the file system takes it,
     * so that none of the file is in the page cache yet: pages cached in small pieces by a plain
     * write would stay small, whatever the mapping.
     */
    private void fill(Path file, long size) throws IOException {
        long block = SystemAlignment.directIo(file).fileChannel();
        long chunk = Math.max(1 << 20, block);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = Aligned.allocate(arena, chunk, block);
            for (long i = 0; i < chunk; i++) {
                buffer.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + 7));
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE,
                    org.alignedmmap.DirectIo.DIRECT)) {
                write(channel, buffer, size, chunk);
            } catch (IOException | UnsupportedOperationException noDirectIo) {
                out.println("   (this file system refuses O_DIRECT: the file goes through the page cache)");
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    write(channel, buffer, size, chunk);
                }
            }
        }
    }

    private static void write(FileChannel channel, MemorySegment buffer, long size, long chunk) throws IOException {
        for (long at = 0; at < size; at += chunk) {
            ByteBuffer bytes = buffer.asByteBuffer();
            while (bytes.hasRemaining()) {
                channel.write(bytes, at + bytes.position());
            }
        }
        channel.truncate(size);
    }
}
