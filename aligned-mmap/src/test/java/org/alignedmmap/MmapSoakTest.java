package org.alignedmmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.alignedmmap.children.SoakChild;
import org.alignedmmap.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Soak: 100,000 map/close cycles of each kind (a file, anonymous memory, 2 MiB-aligned mappings),
 * 100,000 aligned allocations over both of Aligned's strategies, and 3,000 mappings and
 * allocations never closed, left to the garbage collector. Descriptors, mappings, address space
 * and resident set must return to where they started.
 *
 * <p>Runs in a child JVM ({@link SoakChild}) with a fixed, pre-touched 128 MiB heap, so that the
 * resident set does not follow the Java heap; what remains is JIT and metaspace noise, well
 * under the tolerance of 32 MiB, while leaking one page per cycle would be 1.2 GB and leaking the
 * 16 KiB of a small allocation 400 MB.
 *
 * <p>Counts: the full 100,000 of each kind. Measured here (2 cores): the 300,000 map/close
 * cycles take about 13 s alone (about 42 us each: closing a mapping's shared arena costs a
 * handshake with every thread), the 100,000 allocations under 1 s, the whole child about 16 s;
 * with other builds sharing the cores it took up to 33 s, and the whole suite stays near a
 * minute. Lower {@link #CYCLES} first if this ever needs to be faster: a leak of even one page
 * or one descriptor per cycle stays far above the tolerances at 10,000.
 */
class MmapSoakTest {
    private static final int CYCLES = 100_000;
    private static final int ALLOCATIONS = 100_000;
    private static final int FORGOTTEN = 3_000;
    private static final long RSS_TOLERANCE_KB = 32 * 1024;
    /** A new malloc arena or thread stack of the JVM's own may appear; 300,000 leaked mappings could not hide. */
    private static final long ADDRESS_SPACE_TOLERANCE_KB = 256 * 1024;

    @TempDir
    Path dir;

    @Test
    void shouldReturnDescriptorsMappingsAndMemoryToWhereTheyStarted() throws Exception {
        ChildJvm.Result result = ChildJvm.run(SoakChild.class,
                List.of("-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch"), 300,
                dir.resolve("soak.bin").toString(), String.valueOf(CYCLES), String.valueOf(ALLOCATIONS),
                String.valueOf(FORGOTTEN));

        assertThat(result.exitCode()).as("child exit code; output:%n%s", result.output()).isZero();
        assertThat(result.output()).contains("ALIVE");
        Map<String, Long> values = new HashMap<>();
        for (String line : result.lines()) {
            String[] fields = line.split(" ");
            if (fields.length == 3 && fields[2].matches("\\d+")) {
                values.put(fields[0] + " " + fields[1], Long.parseLong(fields[2]));
            }
        }
        // The forgotten mappings were really there before the collector released them.
        assertThat(values.get("forget mappedWhileUnreachable")).as("regions while unreachable")
                .isGreaterThan(values.get("forget regionsBefore") + FORGOTTEN / 3);
        for (String phase : List.of("mapClose", "allocate", "forget")) {
            assertThat(values.get(phase + " fileDescriptorsAfter")).as("%s: descriptors of the file", phase).isZero();
            assertThat(values.get(phase + " fileMappingsAfter")).as("%s: mappings of the file", phase).isZero();
            assertThat(values.get(phase + " descriptorsAfter")).as("%s: open descriptors", phase)
                    .isLessThanOrEqualTo(values.get(phase + " descriptorsBefore"));
            assertThat(values.get(phase + " regionsAfter")).as("%s: regions in /proc/self/maps", phase)
                    .isLessThanOrEqualTo(values.get(phase + " regionsBefore") + SoakChild.REGION_TOLERANCE);
            assertThat(values.get(phase + " vmSizeKbAfter")).as("%s: VmSize in kB", phase)
                    .isLessThanOrEqualTo(values.get(phase + " vmSizeKbBefore") + ADDRESS_SPACE_TOLERANCE_KB);
            assertThat(values.get(phase + " rssKbAfter")).as("%s: VmRSS in kB", phase)
                    .isLessThanOrEqualTo(values.get(phase + " rssKbBefore") + RSS_TOLERANCE_KB);
        }
    }
}
