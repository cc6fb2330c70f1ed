package org.securonis.bim.daemon;

/** A command failed in a way the user can act on; carries the message to print and the exit code. */
final class UsageException extends Exception {

    private final int exitCode;

    UsageException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    UsageException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
