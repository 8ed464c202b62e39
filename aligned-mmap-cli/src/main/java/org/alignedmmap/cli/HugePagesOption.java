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

    /**
     * The option as a user would type it for {@link #kind}, for messages.
     *
     * @return {@code --huge}, {@code --huge=2M}, {@code --huge=1G}, {@code --huge=hugetlb} or
     *     {@code --huge=none}
     */
    String asTyped() {
        return switch (kind) {
            case NONE -> "--huge=none";
            case TRANSPARENT -> "--huge";
            case HUGETLB_2MB -> "--huge=2M";
            case HUGETLB_1GB -> "--huge=1G";
            case HUGETLB_DEFAULT -> "--huge=hugetlb";
        };
    }

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
