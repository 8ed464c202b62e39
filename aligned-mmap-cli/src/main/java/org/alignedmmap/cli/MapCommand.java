package org.alignedmmap.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.alignedmmap.Access;
import org.alignedmmap.Alignment;
import org.alignedmmap.HugePages;
import org.alignedmmap.Mmap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code map FILE}: map a file as asked and show where it landed and what backs it. */
@Command(name = "map", mixinStandardHelpOptions = true,
        description = "Map FILE and print its address, alignment, length, backing (from /proc/self/smaps) and "
                + "residency (mincore).")
final class MapCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The file to map.")
    Path file;

    @Option(names = "--offset", paramLabel = "SIZE", converter = Sizes.Converter.class, defaultValue = "0",
            description = "Where in the file to start: a multiple of the allocation granularity (default 0).")
    long offset;

    @Option(names = "--length", paramLabel = "SIZE", converter = Sizes.Converter.class, defaultValue = "0",
            description = "How much to map; 0 = to the end of the file (default).")
    long length;

    @Option(names = "--align", paramLabel = "SIZE", converter = Sizes.Converter.class, defaultValue = "1",
            description = "Alignment of the address: a power of two such as 4K, 64K, 2M, 1G (default 1).")
    long align;

    @Option(names = "--access", paramLabel = "MODE", defaultValue = "read",
            description = "read (default: this command never changes the file), write, copy or default.")
    String access;

    @Mixin
    HugePagesOption huge;

    @Option(names = "--populate", description = "Fault every page in while mapping (MAP_POPULATE).")
    boolean populate;

    @Option(names = "--touch", description = "Read one byte of every page before reporting.")
    boolean touch;

    @Option(names = "--rebuild-page-cache", description = "With --huge: write back and drop the range's cached pages"
            + " first, so that the mapping reads them back in huge pages (costs a read from storage).")
    boolean rebuildPageCache;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Access mode = switch (access.toLowerCase(Locale.ROOT)) {
            case "read" -> Access.READ;
            case "write" -> Access.WRITE;
            case "copy" -> Access.COPY;
            case "default" -> Access.DEFAULT;
            default -> throw new IllegalArgumentException("--access must be read, write, copy or default, was '"
                    + access + "'");
        };
        long fileSize = Files.size(file);
        try (Mmap m = Mmap.options().access(mode).offset(offset).length(length).align(align).hugePages(huge.kind)
                .populate(populate).rebuildPageCache(rebuildPageCache).map(file)) {
            if (touch) {
                Describe.touchRead(m.segment(), Alignment.pageSize());
            }
            var backing = m.backing();
            var residency = m.residency();
            var report = m.hugePages() != HugePages.NONE ? m.hugePageReport() : null;
            PrintWriter out = spec.commandLine().getOut();
            if (json.enabled) {
                Map<String, Object> o = Json.object();
                o.put("file", file.toString());
                o.put("fileSize", fileSize);
                o.put("address", m.address());
                o.put("requestedAlignment", m.alignment());
                o.put("actualAlignment", Sizes.naturalAlignment(m.address()));
                o.put("offset", m.offset());
                o.put("length", m.length());
                o.put("access", m.access().name());
                o.put("hugePages", m.hugePages().name());
                o.put("backing", Describe.backingJson(backing));
                o.put("residency", Describe.residencyJson(residency));
                if (report != null) {
                    o.put("hugePageReport", HugePageReportOutput.json(report));
                }
                out.println(Json.write(o));
            } else {
                out.printf("%-10s %s (%s)%n", "File", file, Sizes.format(fileSize));
                out.printf("%-10s %s, asked for %s%n", "Address", Describe.address(m.address()), Sizes.format(m.alignment()));
                out.printf("%-10s %s at file offset %s%n", "Length", Sizes.format(m.length()), Sizes.format(m.offset()));
                out.printf("%-10s %s, huge pages: %s%n", "Access", m.access(), m.hugePages().name().toLowerCase(Locale.ROOT));
                out.printf("%-10s %s%n", "Backing", Describe.backing(backing));
                out.printf("%-10s %s%n", "Resident", Describe.residency(residency));
                if (report != null) {
                    HugePageReportOutput.print(out, report);
                }
            }
            out.flush();
        }
        return 0;
    }
}
