package org.alignedmmap;

import java.io.Serial;
import java.nio.channels.NonWritableChannelException;

/**
 * A channel write to a read-only mapping: a {@link NonWritableChannelException} that says what
 * was refused.
 */
final class ReadOnlyChannelException extends NonWritableChannelException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String message;

    ReadOnlyChannelException(String operation) {
        this.message = operation + ": the mapping is read-only";
    }

    @Override
    public String getMessage() {
        return message;
    }
}
