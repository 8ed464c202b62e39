package org.alignedmmap.cli;

/**
 * The operation failed for a reason the message states in the tool's own words (exit code
 * {@link Main#FAILED}): what the user asked for could not be done here, not a wrong command line.
 */
final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the failure.
     *
     * @param message the one line the user reads
     * @param cause what the library or the system said, for {@code --verbose}; may be null
     */
    Failure(String message, Throwable cause) {
        super(message, cause);
    }
}
