package org.alignedmmap.cli;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.alignedmmap.Aligned;
import org.alignedmmap.Backing;
import org.alignedmmap.HugePages;
import org.alignedmmap.Residency;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code alloc}: allocate aligned anonymous memory and show where it landed and what backs it. */
@Command(name = "alloc", mixinStandardHelpOptions = true,
        description = "Allocate aligned, zeroed memory (Aligned.allocate) and print its address, alignment, the time "
                + "an allocation takes (warm, and the first call), what backs it (from /proc/self/smaps) and what is "
                + "resident (from mincore).")
final class AllocCommand implements Callable<Integer> {
    @Option(names = "--size", paramLabel = "SIZE", converter = Sizes.Converter.class, required = true,
            description = "How much, at least 1 byte: such as 64, 4K, 1M, 1G.")
    long size;

    @Option(names = "--align", paramLabel = "SIZE", converter = Sizes.Converter.class, defaultValue = "1",
            description = "Alignment of the address: a power of two (default 1).")
    long align;

    @Mixin
    HugePagesOption huge;

    @Option(names = "--touch", description = "Write every byte before reporting, and time it (progress is shown on "
            + "a terminal).")
    boolean touch;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        checkArguments();
        // Timed first, each allocation freed at once: a hugetlb pool just large enough for one
        // allocation must still serve the one that is kept and reported on below.
        WarmTimer.Timing timing = WarmTimer.time(() -> {
            try (Arena arena = Arena.ofConfined()) {
                allocate(arena);
            }
        });
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = allocate(arena);
            long touchNanos = 0;
            if (touch) {
                ProgressLine progress = new ProgressLine(spec.commandLine().getErr(),
                        Main.onTerminal(spec) && !json.enabled, "writing every byte", size);
                long start = System.nanoTime();
                MemoryTouch.write(segment, (byte) 1, progress);
                touchNanos = System.nanoTime() - start;
            }
            Backing backing = Backing.of(segment);
            Residency residency = Residency.of(segment);
            PrintWriter out = spec.commandLine().getOut();
            if (json.enabled) {
                Map<String, Object> o = Json.object();
                o.put("size", segment.byteSize());
                o.put("address", segment.address());
                o.put("requestedAlignment", align);
                o.put("actualAlignment", Sizes.naturalAlignment(segment.address()));
                o.put("hugePages", huge.kind.name());
                o.put("allocateMicros", timing.warmNanos() / 1e3);
                o.put("allocateWarmCalls", timing.warmCalls());
                o.put("firstAllocateMicros", timing.firstNanos() / 1e3);
                o.put("touchMicros", touch ? touchNanos / 1e3 : null);
                o.put("backing", Describe.backingJson(backing));
                o.put("residency", Describe.residencyJson(residency));
                out.println(Json.write(o));
            } else {
                out.printf("%-10s %s at %s alignment, huge pages: %s%n", "Allocated", Sizes.format(segment.byteSize()),
                        Sizes.format(align), huge.kind.name().toLowerCase(Locale.ROOT));
                out.printf("%-10s %s%n", "Address", Describe.address(segment.address()));
                out.printf("%-10s %s per allocate + free, warm (median of %,d calls); the first call took %s (in a "
                        + "fresh JVM: class loading, binding the system calls)%n", "Time", duration(timing.warmNanos()),
                        timing.warmCalls(), duration(timing.firstNanos()));
                if (touch) {
                    out.printf("%-10s %s writing every byte once (the first write: page faults included)%n", "",
                            duration(touchNanos));
                }
                out.printf("%-10s %s%n", "Backing", Describe.backingLine(backing));
                out.printf("%-10s %s%n", "Resident", Describe.residencyLine(residency, false));
            }
            out.flush();
        }
        return 0;
    }

    private void checkArguments() {
        if (size == 0) {
            throw Checks.usage(spec, "--size must be at least 1 byte, was 0");
        }
        Checks.powerOfTwo(spec, "--align", align);
        if (size > Long.MAX_VALUE - align) {
            throw Checks.usage(spec, "--size " + Sizes.format(size) + " at --align " + Sizes.format(align)
                    + " is more than an address space holds");
        }
        huge.kind.unavailableReason().ifPresent(reason -> {
            throw new Failure(huge.asTyped() + ": " + reason, null);
        });
    }

    /** One allocation, with the library's refusal put in this command's words. */
    private MemorySegment allocate(Arena arena) {
        try {
            return huge.kind == HugePages.NONE ? Aligned.allocate(arena, size, align)
                    : Aligned.allocate(arena, size, align, huge.kind);
        } catch (OutOfMemoryError e) {
            throw new Failure("cannot allocate " + Sizes.format(size) + (huge.kind == HugePages.NONE ? ""
                    : " with " + huge.asTyped()) + ": " + e.getMessage(), e);
        }
    }

    /** {@code 3.1 us}, {@code 150 ms}, {@code 1.20 s}. */
    private static String duration(double nanos) {
        if (nanos >= 1e9) {
            return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
        }
        if (nanos >= 1e6) {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, nanos >= 1e4 ? "%.0f us" : "%.2f us", nanos / 1e3);
    }
}
