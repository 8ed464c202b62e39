package org.alignedmmap.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows and notes as lines of text, for a suite that ran in a child JVM to hand its results to
 * the parent: fields apart by U+001F, map entries by U+001E, key and value by U+001D (control
 * characters no operation or variant name holds). Doubles are written exactly ({@link
 * Double#toString}), NaN included.
 */
final class RowCodec {
    private static final String FIELD = "\u001f";
    private static final String ENTRY = "\u001e";
    private static final String PAIR = "\u001d";
    private static final String ROW = "row";
    private static final String NOTE = "note";

    private RowCodec() {}

    static String encode(Row row) {
        Row.Goal g = row.goal();
        return String.join(FIELD, ROW, row.section(), row.operation(), row.unit(), String.valueOf(row.higherIsBetter()),
                map(row.ours()), map(row.peers()), map(row.flagged()), g == null ? "-" : "goal",
                g == null || g.against() == null ? "" : g.against(), g == null ? "NaN" : String.valueOf(g.minRatio()),
                g == null ? "NaN" : String.valueOf(g.maxOurs()), g == null ? "NaN" : String.valueOf(g.minOurs()),
                g == null ? "" : g.text());
    }

    static String encodeNote(String note) {
        return NOTE + FIELD + note.replace('\n', ' ');
    }

    /**
     * Reads back what {@link #encode} and {@link #encodeNote} wrote: rows into {@code rows}, notes into
     * {@code notes}.
     */
    static void decode(List<String> lines, List<Row> rows, List<String> notes) {
        for (String line : lines) {
            String[] f = line.split(FIELD, -1);
            if (f[0].equals(NOTE)) {
                notes.add(f[1]);
            } else if (f[0].equals(ROW)) {
                Row.Goal goal = f[8].equals("-") ? null : new Row.Goal(f[9].isEmpty() ? null : f[9],
                        Double.parseDouble(f[10]), Double.parseDouble(f[11]), Double.parseDouble(f[12]), f[13]);
                rows.add(new Row(f[1], f[2], f[3], Boolean.parseBoolean(f[4]), map(f[5]), map(f[6]), goal, map(f[7])));
            } else {
                throw new IllegalArgumentException("not a row or a note: " + line);
            }
        }
    }

    private static String map(Map<String, Double> values) {
        List<String> entries = new ArrayList<>();
        values.forEach((k, v) -> entries.add(k + PAIR + v));
        return String.join(ENTRY, entries);
    }

    private static Map<String, Double> map(String text) {
        Map<String, Double> values = new LinkedHashMap<>();
        if (!text.isEmpty()) {
            for (String entry : text.split(ENTRY, -1)) {
                int at = entry.indexOf(PAIR);
                values.put(entry.substring(0, at), Double.parseDouble(entry.substring(at + 1)));
            }
        }
        return values;
    }
}
