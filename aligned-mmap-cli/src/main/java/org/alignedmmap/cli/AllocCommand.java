package org.alignedmmap.cli;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.alignedmmap.Aligned;
import org.alignedmmap.Backing;
import org.alignedmmap.Residency;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code alloc}: allocate aligned anonymous memory and show where it landed and what backs it. */
@Command(name = "alloc", mixinStandardHelpOptions = true,
        description = "Allocate aligned, zeroed memory (Aligned.allocate) and print its address, alignment, backing "
                + "and residency.")
final class AllocCommand implements Callable<Integer> {
    @Option(names = "--size", paramLabel = "SIZE", converter = Sizes.Converter.class, required = true,
            description = "How much, such as 64, 4K, 1M, 1G.")
    long size;

    @Option(names = "--align", paramLabel = "SIZE", converter = Sizes.Converter.class, defaultValue = "1",
            description = "Alignment of the address: a power of two (default 1).")
    long align;

    @Mixin
    HugePagesOption huge;

    @Option(names = "--touch", description = "Write every byte before reporting (and time it).")
    boolean touch;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            long start = System.nanoTime();
            MemorySegment segment = Aligned.allocate(arena, size, align, huge.kind);
            long allocated = System.nanoTime();
            long touched = allocated;
            if (touch) {
                segment.fill((byte) 1);
                touched = System.nanoTime();
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
                o.put("allocateMicros", (allocated - start) / 1e3);
                o.put("touchMicros", touch ? (touched - allocated) / 1e3 : null);
                o.put("backing", Describe.backingJson(backing));
                o.put("residency", Describe.residencyJson(residency));
                out.println(Json.write(o));
            } else {
                out.printf("%-10s %s at %s alignment, huge pages: %s%n", "Allocated", Sizes.format(segment.byteSize()),
                        Sizes.format(align), huge.kind.name().toLowerCase(Locale.ROOT));
                out.printf("%-10s %s%n", "Address", Describe.address(segment.address()));
                out.printf("%-10s %.1f us%s%n", "Time", (allocated - start) / 1e3,
                        touch ? String.format(Locale.ROOT, ", writing every byte %.1f us", (touched - allocated) / 1e3) : "");
                out.printf("%-10s %s%n", "Backing", Describe.backing(backing));
                out.printf("%-10s %s%n", "Resident", Describe.residency(residency));
            }
            out.flush();
        }
        return 0;
    }
}
