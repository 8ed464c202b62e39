package org.alignedmmap;

import java.io.Serial;
import java.nio.ReadOnlyBufferException;

/**
 * A write to a read-only mapping: CPython's {@code TypeError: mmap can't modify a readonly memory
 * map}. A {@link ReadOnlyBufferException} that says what was refused.
 */
final class ReadOnlyMappingException extends ReadOnlyBufferException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String message;

    ReadOnlyMappingException(String operation) {
        this.message = operation + ": mmap can't modify a readonly memory map";
    }

    @Override
    public String getMessage() {
        return message;
    }
}
