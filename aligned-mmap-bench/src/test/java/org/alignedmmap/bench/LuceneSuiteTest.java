package org.alignedmmap.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The child JVM's rows and notes come back to the parent as they were made. */
class LuceneSuiteTest {
    @Test
    void shouldParseTheRowsAndNotesTheChildWrote() {
        Map<String, Double> ours = new LinkedHashMap<>(Map.of(LuceneBench.OURS, 812.5));
        Map<String, Double> peers = new LinkedHashMap<>();
        peers.put(LuceneBench.MMAP, 700.25);
        peers.put(LuceneBench.TMPFS, Double.NaN);
        Row knn = new Row(LuceneSuite.SECTION, "KNN search, 3,000 x 64 floats", "queries/s", true, ours, peers,
                Row.Goal.ratio(LuceneBench.MMAP, 1.1, ">= 1.1x MMapDirectory"));
        Row share = new Row(LuceneSuite.SECTION, "share of the .vec file in huge pages", "%", true, Map.of(),
                Map.of(LuceneBench.MMAP, 0.0), null);
        List<String> notes = new ArrayList<>();

        List<Row> rows = LuceneSuite.parse(List.of(LuceneSuite.format(knn), LuceneSuite.format(share),
                "note\tKNN: top 10 hits identical"), notes);

        assertThat(rows).containsExactly(knn, share);
        assertThat(rows.getFirst().peers().keySet()).containsExactly(LuceneBench.MMAP, LuceneBench.TMPFS);
        assertThat(rows.getFirst().advantage()).isEqualTo(812.5 / 700.25);
        assertThat(notes).containsExactly("KNN: top 10 hits identical");
    }
}
