package org.securonis.bim.core;

import java.util.Objects;

/**
 * What one capture of a path found: its state, that it is missing, or why it could not be read.
 *
 * @param state the captured state; for a failed capture the part that could be read (the stat), or null
 * @param error why the capture failed, or null when it succeeded
 */
public record Observation(String path, Tier tier, FileRecord state, String error) {

    public Observation {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(tier, "tier");
    }

    /** The path exists and was fully captured. */
    public static Observation present(FileRecord state) {
        return new Observation(state.path(), state.tier(), state, null);
    }

    /** The path does not exist. */
    public static Observation missing(String path, Tier tier) {
        return new Observation(path, tier, null, null);
    }

    /** The path could not be captured; {@code partial} holds what could be read, or null. */
    public static Observation failed(String path, Tier tier, FileRecord partial, String error) {
        return new Observation(path, tier, partial, Objects.requireNonNull(error, "error"));
    }

    /** True when the path exists and its state is complete. */
    public boolean isPresent() {
        return error == null && state != null;
    }

    /** True when the path does not exist. */
    public boolean isMissing() {
        return error == null && state == null;
    }

    /** True when the capture failed. */
    public boolean isFailed() {
        return error != null;
    }
}
