/**
 * Memory-mapped files and native memory whose start address is a multiple of an alignment the
 * caller chooses, with the file-like API of Python's {@code mmap}, on Linux.
 *
 * <p>The public API is the package {@code org.alignedmmap}; everything that talks to the
 * operating system lives behind an internal seam in packages this module does not export. It
 * runs on Linux on x86-64, AArch64 and RISC-V 64; elsewhere its calls throw {@link
 * UnsupportedOperationException}. The module calls restricted methods of
 * {@code java.lang.foreign}: run with {@code --enable-native-access=org.alignedmmap} (module
 * path) or {@code --enable-native-access=ALL-UNNAMED} (class path) to keep the JDK from warning.
 * Searches run faster when the JVM is started with {@code --add-modules jdk.incubator.vector}:
 * the library then uses the Vector API, found at run time (this descriptor does not name the
 * incubator module, so that modules reading this one compile without an incubator warning).
 */
module org.alignedmmap {
    // ExtendedOpenOption.DIRECT (O_DIRECT) for DirectIo: the JDK keeps it in jdk.unsupported.
    requires jdk.unsupported;

    exports org.alignedmmap;
}
