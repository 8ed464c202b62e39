package org.alignedmmap.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.alignedmmap.HugePagePool;
import org.alignedmmap.SystemAlignment;
import org.alignedmmap.internal.ByteSearch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code info}: the sizes memory is measured in on this machine. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Page size, allocation granularity, huge page sizes and pools, THP mode, cache line, JDK, "
                + "kernel.")
final class InfoCommand implements Callable<Integer> {
    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, Object> facts = collect();
        PrintWriter out = spec.commandLine().getOut();
        if (json.enabled) {
            out.println(Json.write(facts));
        } else {
            out.printf("%-24s %s%n", "Page size", Sizes.format(SystemAlignment.pageSize()));
            out.printf("%-24s %s%n", "Allocation granularity", Sizes.format(SystemAlignment.allocationGranularity()));
            out.printf("%-24s %s%n", "Cache line",
                    facts.get("cacheLine") instanceof Long l ? Sizes.format(l) : "unknown");
            List<String> pools = new ArrayList<>();
            for (HugePagePool pool : SystemAlignment.hugePagePools()) {
                pools.add(Sizes.format(pool.size()) + " (pool " + pool.total() + " pages, " + pool.free() + " free)");
            }
            out.printf("%-24s %s%n", "Huge page sizes", pools.isEmpty() ? "none" : String.join(", ", pools));
            out.printf("%-24s %s%n", "Transparent huge pages", facts.get("transparentHugePages")
                    + SystemAlignment.transparentHugePageSize().stream().mapToObj(s -> " (PMD size " + Sizes.format(s)
                            + ")")
                    .findFirst().orElse(""));
            out.printf("%-24s %s%n", "Search kernel", facts.get("searchKernel"));
            out.printf("%-24s %s%n", "JDK", facts.get("jdk"));
            out.printf("%-24s %s%n", "Kernel", facts.get("kernel"));
            out.printf("%-24s %s%n", "CPUs", facts.get("cpus"));
        }
        out.flush();
        return 0;
    }

    static Map<String, Object> collect() {
        Map<String, Object> facts = Json.object();
        facts.put("pageSize", SystemAlignment.pageSize());
        facts.put("allocationGranularity", SystemAlignment.allocationGranularity());
        Object cacheLine;
        try {
            cacheLine = SystemAlignment.cacheLineSize();
        } catch (IllegalStateException unknown) {
            cacheLine = null;
        }
        facts.put("cacheLine", cacheLine);
        List<Object> pools = new ArrayList<>();
        for (HugePagePool pool : SystemAlignment.hugePagePools()) {
            Map<String, Object> p = Json.object();
            p.put("size", pool.size());
            p.put("total", pool.total());
            p.put("free", pool.free());
            p.put("reserved", pool.reserved());
            pools.add(p);
        }
        facts.put("hugePages", pools);
        facts.put("transparentHugePages",
                SystemAlignment.transparentHugePages().toString().toLowerCase(java.util.Locale.ROOT));
        facts.put("transparentHugePageSize", SystemAlignment.transparentHugePageSize().isPresent()
                ? SystemAlignment.transparentHugePageSize().getAsLong() : null);
        facts.put("searchKernel", ByteSearch.kernel());
        facts.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
        facts.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        facts.put("cpus", Runtime.getRuntime().availableProcessors());
        return facts;
    }
}
