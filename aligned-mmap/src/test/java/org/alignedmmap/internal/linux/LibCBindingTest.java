package org.alignedmmap.internal.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Test;

/**
 * A symbol the C library lacks disables only the call that needs it: binding it succeeds, and
 * calling it throws {@link UnsupportedOperationException} naming the symbol, each time, with a
 * fresh exception; the other handles keep working.
 */
class LibCBindingTest {
    @Test
    void shouldBindAMissingSymbolToAHandleThatRefusesEachCall() throws Throwable {
        MethodHandle missing = LibC.bind("aligned_mmap_no_such_function",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            Throwable first = null;
            for (int i = 0; i < 2; i++) {
                Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                        () -> { int ignored = (int) missing.invokeExact(state, 1, 2L); });
                assertThat(thrown).isInstanceOf(UnsupportedOperationException.class)
                        .hasMessageContaining("'aligned_mmap_no_such_function'")
                        .hasMessageContaining("glibc or musl");
                assertThat(thrown).isNotSameAs(first);
                first = thrown;
            }
        }
        // The real bindings are unaffected.
        assertThat(LibC.sysconf(30)).isPositive();
    }

    @Test
    void shouldKeepTheErrnoOfARealFailure() {
        assertThatThrownBy(() -> LibC.close(-1)).isInstanceOf(org.alignedmmap.ErrnoException.class)
                .hasMessageStartingWith("close(fd=-1) failed: EBADF");
    }
}
