package org.securonis.bim.core;

/** How much a monitored file matters: decides which responses a change to it triggers. */
public enum Tier {
    CRITICAL("critical"),
    LIBRARY("library"),
    SYSTEM("system");

    private final String label;

    Tier(String label) {
        this.label = label;
    }

    /** The lower-case name used in JSON, logs and the configuration. */
    public String label() {
        return label;
    }

    /** Parses a label written by {@link #label()}. */
    public static Tier ofLabel(String label) {
        for (Tier t : values()) {
            if (t.label.equals(label)) {
                return t;
            }
        }
        throw new IllegalArgumentException("tier (" + label + ") must be one of critical, library, system");
    }
}
