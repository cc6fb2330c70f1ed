package org.securonis.bim.core;

/** What happened to a monitored path; the labels are the alert schema's {@code event.action} values. */
public enum Action {
    CREATED("created"),
    UPDATED("updated"),
    DELETED("deleted"),
    ATTRIBUTES_MODIFIED("attributes_modified"),
    MOVED("moved"),
    BASELINE_TAMPERED("baseline_tampered");

    private final String label;

    Action(String label) {
        this.label = label;
    }

    /** The {@code event.action} value. */
    public String label() {
        return label;
    }
}
