package org.alignedmmap.bench;

import java.util.List;

/**
 * The two ways the library's side of a suite runs, each in a JVM of its own started for it: the
 * default path, which the README's Requirements give a user (class path, native access enabled,
 * default options), and the flagged path, with what the first figures were taken with (the
 * incubating vector module, and {@code confined(true)} mappings wherever one thread does the work).
 */
enum Flavor {
    /** Class path, {@code --enable-native-access=ALL-UNNAMED}, default options. */
    DEFAULT("default", List.of(), "class path, only --enable-native-access, default options"),
    /** The default path plus the vector module, and confined mappings where a row has them. */
    FLAGGED("flagged", List.of("--add-modules", "jdk.incubator.vector"),
            "--add-modules jdk.incubator.vector, confined(true) where one thread works");

    /** Native access: every JVM that runs the library needs it, the default path included. */
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    private final String id;
    private final List<String> extraFlags;
    private final String label;

    Flavor(String id, List<String> extraFlags, String label) {
        this.id = id;
        this.extraFlags = extraFlags;
        this.label = label;
    }

    /** The name on the command line of a child JVM. */
    String id() {
        return id;
    }

    /** What the report says this flavor is. */
    String label() {
        return label;
    }

    /** The JVM flags of a child that runs this flavor. */
    List<String> jvmFlags() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(NATIVE_ACCESS, "-Djava.awt.headless=true"),
                extraFlags.stream()).toList();
    }

    /** Whether the mappings of one-thread rows are {@code confined(true)}. */
    boolean confined() {
        return this == FLAGGED;
    }

    static Flavor of(String id) {
        for (Flavor f : values()) {
            if (f.id.equals(id)) {
                return f;
            }
        }
        throw new IllegalArgumentException("flavor must be default or flagged, was " + id);
    }
}
