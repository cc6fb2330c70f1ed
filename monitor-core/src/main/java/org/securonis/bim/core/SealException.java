package org.securonis.bim.core;

/** The baseline loads but its seal does not verify: it was edited by someone without the key (or the key changed). */
public final class SealException extends BaselineException {

    public SealException(String message) {
        super(message);
    }
}
