package org.securonis.bim.core;

/** What led to a verification: a kernel event or a sweep ({@code bim.source} in the alert schema). */
public enum Source {
    EVENT("event"),
    SWEEP("sweep");

    private final String label;

    Source(String label) {
        this.label = label;
    }

    /** The {@code bim.source} value. */
    public String label() {
        return label;
    }
}
