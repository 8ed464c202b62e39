package org.alignedmmap.bench.jmh;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * The library's two search kernels, reached from the benchmarks so that one JVM can race them in
 * alternating rounds (the library picks one per JVM, and keeps both package-private).
 *
 * <p>The benchmarks run on the class path, where the library is in the unnamed module and its
 * package-private members open to reflection; held in {@code static final} fields of the caller,
 * the handles are constants that C2 inlines like direct calls.
 */
final class KernelHandles {
    private static final String PACKAGE = "org.alignedmmap.internal.";

    /** {@code (MemorySegment, long from, long to, byte)long}: first or last index of one byte. */
    final MethodHandle indexOfByte;
    final MethodHandle lastIndexOfByte;
    /** {@code (MemorySegment, long from, long to, byte[])long}: a needle of two or more bytes. */
    final MethodHandle indexOfNeedle;
    final MethodHandle lastIndexOfNeedle;
    final String name;

    private KernelHandles(Object kernel) throws ReflectiveOperationException {
        Class<?> kernelType = Class.forName(PACKAGE + "SearchKernel");
        Class<?> needleType = Class.forName(PACKAGE + "Needle");
        Constructor<?> needle = needleType.getDeclaredConstructor(byte[].class);
        needle.setAccessible(true);
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        MethodHandle makeNeedle = lookup.unreflectConstructor(needle);
        indexOfByte = bind(lookup, kernelType, kernel, "indexOf", byte.class);
        lastIndexOfByte = bind(lookup, kernelType, kernel, "lastIndexOf", byte.class);
        indexOfNeedle = MethodHandles.filterArguments(bind(lookup, kernelType, kernel, "indexOf", needleType), 3,
                makeNeedle).asType(MethodType.methodType(long.class, MemorySegment.class, long.class, long.class,
                byte[].class));
        lastIndexOfNeedle = MethodHandles.filterArguments(bind(lookup, kernelType, kernel, "lastIndexOf",
                needleType), 3, makeNeedle).asType(MethodType.methodType(long.class, MemorySegment.class, long.class,
                long.class, byte[].class));
        Method describe = kernelType.getDeclaredMethod("describe");
        describe.setAccessible(true);
        name = (String) describe.invoke(kernel);
    }

    private static MethodHandle bind(MethodHandles.Lookup lookup, Class<?> kernelType, Object kernel, String name,
                                     Class<?> last) throws ReflectiveOperationException {
        Method method = kernelType.getDeclaredMethod(name, MemorySegment.class, long.class, long.class, last);
        method.setAccessible(true);
        return lookup.unreflect(method).bindTo(kernel);
    }

    /**
     * The portable kernel.
     *
     * @throws IllegalStateException if the library's classes are not reachable (module path)
     */
    static KernelHandles portable() {
        try {
            Field instance = Class.forName(PACKAGE + "SwarSearch").getDeclaredField("INSTANCE");
            instance.setAccessible(true);
            return new KernelHandles(instance.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("the portable kernel is not reachable: run on the class path", e);
        }
    }

    /**
     * The vector kernel, if this JVM has {@code jdk.incubator.vector} and vectors of 16+ bytes.
     *
     * @return the kernel or empty
     */
    static Optional<KernelHandles> vector() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return Optional.empty();
        }
        try {
            Method create = Class.forName(PACKAGE + "VectorSearch").getDeclaredMethod("create");
            create.setAccessible(true);
            Object kernel = create.invoke(null);
            return kernel == null ? Optional.empty() : Optional.of(new KernelHandles(kernel));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("the vector kernel is not reachable: run on the class path", e);
        }
    }
}
