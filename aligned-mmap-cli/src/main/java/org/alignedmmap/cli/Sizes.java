package org.alignedmmap.cli;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Sizes as people write them: {@code 4096}, {@code 4K}, {@code 64KiB}, {@code 2M}, {@code 1G},
 * {@code 1.5G} (binary multiples: K = 1024), and back again for output.
 */
final class Sizes {
    /** Digits, an optional fraction, an optional binary unit letter, an optional B or iB. */
    private static final Pattern SIZE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([kKmMgGtTpP]?)(?:[iI]?[bB])?");

    private Sizes() {}

    /**
     * Parses a size.
     *
     * @param text digits with an optional K, M, G, T suffix (also KB, KiB...; any case)
     * @return the number of bytes
     * @throws IllegalArgumentException if the text is not a size or does not fit in a long
     */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (try 4096, 4K, 64K, 2M, 1G)");
        }
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            case "P" -> 50;
            default -> 0;
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1L << shift));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        try {
            return bytes.longValueExact();
        } catch (ArithmeticException fraction) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes");
        }
    }

    /**
     * Formats a size the short way: {@code 4 KiB}, {@code 2 MiB}, {@code 1.5 GiB}, {@code 12345 B}.
     *
     * @param bytes the size
     * @return the text
     */
    static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int unit = 0;
        while (Math.abs(value) >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        if (value == Math.rint(value)) {
            return (long) value + " " + units[unit];
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** The largest power of two that divides {@code address}: how aligned it really is. */
    static long naturalAlignment(long address) {
        return address == 0 ? 0 : Long.lowestOneBit(address);
    }

    /** For picocli options of a size. */
    static final class Converter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
