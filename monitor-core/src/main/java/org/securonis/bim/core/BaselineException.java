package org.securonis.bim.core;

/** The baseline file could not be loaded: missing, unreadable, truncated, corrupt or of another version. */
public class BaselineException extends Exception {

    public BaselineException(String message) {
        super(message);
    }

    public BaselineException(String message, Throwable cause) {
        super(message, cause);
    }
}
