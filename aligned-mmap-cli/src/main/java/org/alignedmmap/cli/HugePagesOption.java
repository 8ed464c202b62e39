package org.alignedmmap.cli;

import java.util.Locale;
import org.alignedmmap.HugePages;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --huge[=KIND]}: transparent (the default KIND), hugetlb, 2M, 1G or none; a mixin shared
 * by the commands that map memory.
 */
final class HugePagesOption {
    @Option(names = "--huge", paramLabel = "KIND", arity = "0..1", fallbackValue = "transparent",
            converter = Converter.class, description = "Huge pages: transparent (default when given alone), hugetlb "
                    + "(the system's default hugetlb size), 2M or 1G (hugetlb of that size), none.")
    HugePages kind = HugePages.NONE;

    /** Reads KIND. */
    static final class Converter implements CommandLine.ITypeConverter<HugePages> {
        @Override
        public HugePages convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "", "transparent", "thp" -> HugePages.TRANSPARENT;
                case "hugetlb" -> HugePages.HUGETLB_DEFAULT;
                case "2m", "2mb", "2mib" -> HugePages.HUGETLB_2MB;
                case "1g", "1gb", "1gib" -> HugePages.HUGETLB_1GB;
                case "none", "no" -> HugePages.NONE;
                default -> throw new CommandLine.TypeConversionException("'" + value
                        + "' is not a huge page kind (transparent, hugetlb, 2M, 1G, none)");
            };
        }
    }
}
