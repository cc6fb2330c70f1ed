package org.securonis.bim.core;

/**
 * What the response pipeline may do about a finding, besides the alert that every finding gets. The labels are
 * the values of the {@code [response]} lists.
 */
public enum ResponseAction {
    /** Keep the tampered content as evidence in {@code quarantine_dir}. */
    QUARANTINE("quarantine"),
    /** Stop the tampered file from running: restore the known-good copy, or clear its execute and set-id bits. */
    CONTAIN("contain"),
    /** Open (or join) an incident: {@code incident-<id>.json}. */
    INCIDENT("incident"),
    /** Collect {@code forensics-<id>.tar.gz} for the incident. */
    FORENSICS("forensics"),
    /** Run the lockdown script (once per lockdown, and only with {@code enable_lockdown}). */
    LOCKDOWN("lockdown"),
    /** Mail the incident summary to {@code admin_email}. */
    NOTIFY("notify");

    private final String label;

    ResponseAction(String label) {
        this.label = label;
    }

    /** The configuration's name for it. */
    public String label() {
        return label;
    }

    /** Parses a label, or returns null. */
    static ResponseAction ofLabel(String label) {
        for (ResponseAction a : values()) {
            if (a.label.equals(label)) {
                return a;
            }
        }
        return null;
    }
}
