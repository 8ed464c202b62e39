package org.alignedmmap.internal;

import java.lang.reflect.InvocationTargetException;
import java.util.Optional;

/**
 * Chooses the search kernel, once per JVM: {@code VectorSearch} when the JVM has
 * {@code jdk.incubator.vector} in its boot layer, {@link SwarSearch} otherwise.
 *
 * <h2>Why by name, and why not {@code requires static}</h2>
 * The vector module is an incubator: a JVM has it only with {@code --add-modules
 * jdk.incubator.vector}, and javac warns about every module that names an incubator module, in
 * its own build and in the build of every module that reads it. A {@code requires static} in the
 * library's descriptor therefore broke {@code -Werror} builds of its users. Instead the
 * descriptor names nothing, and at run time this class (as Lucene's {@code VectorizationProvider}
 * does) looks the module up in the boot layer, makes the library's module read it
 * ({@link Module#addReads}, which a module may call for itself; on the class path the unnamed
 * module reads every module already), and only then loads {@code VectorSearch} by name, so that
 * no class that links against the incubator is loaded on a JVM without it.
 *
 * <p>The system property {@code org.alignedmmap.vector=false} forces the portable kernel. When the
 * module is missing (and the property does not rule it out), the first search logs one message
 * through {@link System.Logger} {@value #LOGGER}, at INFO, naming the flag.
 */
final class SearchKernels {
    /** The logger's name: the module's. */
    static final String LOGGER = "org.alignedmmap";
    static final String PROPERTY = "org.alignedmmap.vector";
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    static final String MISSING = "Java vector incubator module is not readable. For optimal search performance, "
            + "pass '--add-modules " + VECTOR_MODULE + "' (the portable kernel runs instead)";

    private SearchKernels() {}

    /**
     * Returns the kernel this JVM should use; logs once if the vector module is missing.
     *
     * @return never null
     */
    static SearchKernel choose() {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return SwarSearch.INSTANCE;
        }
        Optional<Module> vector = ModuleLayer.boot().findModule(VECTOR_MODULE);
        if (vector.isEmpty()) {
            System.getLogger(LOGGER).log(System.Logger.Level.INFO, MISSING);
            return SwarSearch.INSTANCE;
        }
        SearchKernels.class.getModule().addReads(vector.get());
        try {
            Object kernel = Class.forName(SearchKernels.class.getPackageName() + ".VectorSearch")
                    .getDeclaredMethod("create").invoke(null);
            return kernel == null ? SwarSearch.INSTANCE : (SearchKernel) kernel;
        } catch (ReflectiveOperationException | LinkageError e) {
            Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
            System.getLogger(LOGGER).log(System.Logger.Level.WARNING,
                    "Vector search kernel unusable (" + cause + "); the portable kernel runs instead");
            return SwarSearch.INSTANCE;
        }
    }
}
