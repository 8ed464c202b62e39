package org.alignedmmap.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.alignedmmap.Access;
import org.alignedmmap.Backing;
import org.alignedmmap.HugePageReport;
import org.alignedmmap.HugePages;
import org.alignedmmap.Mmap;
import org.alignedmmap.Residency;
import org.alignedmmap.SystemAlignment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code map FILE}: map a file as asked and show where it landed and what backs it. */
@Command(name = "map", mixinStandardHelpOptions = true,
        description = "Map FILE and print its address, alignment, length, what this process has mapped in (from "
                + "/proc/self/smaps) and what is in memory (from mincore).")
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

    @Option(names = "--touch", description = "Read one byte of every page before reporting (progress is shown on "
            + "a terminal).")
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
            default -> throw Checks.usage(spec, "--access must be read, write, copy or default, was '" + access + "'");
        };
        long fileSize = checkArguments();
        PrintWriter err = spec.commandLine().getErr();
        boolean progress = Main.onTerminal(spec) && !json.enabled;
        ProgressLine populating = new ProgressLine(err, progress && populate, "", 0);
        populating.show("mapping and reading in every page (MAP_POPULATE)...");
        try (Mmap m = Mmap.options().access(mode).offset(offset).length(length).align(align).hugePages(huge.kind)
                .populate(populate).rebuildPageCache(rebuildPageCache).map(file)) {
            populating.finish();
            if (touch) {
                MemoryTouch.read(m.segment(), SystemAlignment.pageSize(),
                        new ProgressLine(err, progress, "reading one byte of every page", m.length()));
            }
            Backing backing = m.backing();
            Residency residency = m.residency();
            HugePageReport report = m.hugePages() != HugePages.NONE ? m.hugePageReport() : null;
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
                out.printf("%-10s %s, asked for %s%n", "Address", Describe.address(m.address()),
                        Sizes.format(m.alignment()));
                out.printf("%-10s %s at file offset %s%n", "Length", Sizes.format(m.length()),
                        Sizes.format(m.offset()));
                out.printf("%-10s %s, huge pages: %s%n", "Access", m.access(),
                        m.hugePages().name().toLowerCase(Locale.ROOT));
                out.printf("%-10s %s%n", "Backing", Describe.backingLine(backing));
                out.printf("%-10s %s%n", "Resident", Describe.residencyLine(residency, true));
                if (report != null) {
                    HugePageReportOutput.print(out, report);
                }
            }
            out.flush();
        } finally {
            populating.finish();
        }
        return 0;
    }

    /**
     * Checks the file and the options against each other before anything is mapped, and says
     * what is wrong in this command's options (the library would name its own methods).
     *
     * @return the file's size
     */
    private long checkArguments() throws IOException {
        FileKind kind = Checks.mappable(spec, file);
        Checks.powerOfTwo(spec, "--align", align);
        Checks.multipleOf(spec, "--offset", offset, SystemAlignment.allocationGranularity(),
                "the allocation granularity");
        if (huge.kind.isHugetlb()) {
            throw Checks.usage(spec, "map " + huge.asTyped() + ": hugetlb pages are for memory without a file (files "
                    + "on hugetlbfs are not supported); use 'alloc --size SIZE " + huge.asTyped()
                    + "' for hugetlb memory, or 'map FILE --huge' for transparent huge pages on a file");
        }
        if (huge.kind == HugePages.TRANSPARENT) {
            huge.kind.unavailableReason().ifPresent(reason -> {
                throw new Failure(huge.asTyped() + ": " + reason, null);
            });
            long pmd = huge.kind.pageSize();
            if (offset % pmd != 0) {
                throw Checks.usage(spec, "--huge maps a file with huge pages only from file offsets on the "
                        + Sizes.format(pmd) + " grid: --offset must be a multiple of " + Sizes.format(pmd) + ", was "
                        + offset + " (" + Sizes.format(offset) + ")");
            }
        }
        if (kind != FileKind.REGULAR) {
            if (length == 0) {
                throw Checks.usage(spec, file + " is " + kind.description() + ", which has no size to map to the end "
                        + "of: give --length");
            }
            return 0;
        }
        long size = Files.size(file);
        if (length == 0 && size == 0) {
            throw Checks.usage(spec, file + " is empty: there is nothing to map");
        }
        if (length == 0 && offset >= size) {
            throw Checks.usage(spec, "--offset " + offset + " (" + Sizes.format(offset) + ") is at or past the end of "
                    + file + " (" + size + " bytes)");
        }
        if (length > 0 && (offset > size || size - offset < length)) {
            throw Checks.usage(spec, "--offset " + offset + " + --length " + length + " reach past the end of " + file
                    + " (" + size + " bytes)");
        }
        return size;
    }
}
