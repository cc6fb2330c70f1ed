package org.securonis.bim.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one sweep found.
 *
 * @param findings     differences from the baseline, in path order
 * @param problems     paths that could not be verified, with why
 * @param observations every capture, by path (what {@code init} and {@code update} record)
 */
public record SweepResult(
        List<Finding> findings,
        List<Problem> problems,
        Map<String, Observation> observations,
        long files,
        long bytes,
        Duration duration) {

    /** A path that could not be verified. */
    public record Problem(String path, String message) {
    }

    public SweepResult {
        findings = List.copyOf(findings);
        problems = List.copyOf(problems);
        // Not copied: a sweep's map holds every file of the set, and the sweep hands it over.
        observations = java.util.Collections.unmodifiableMap(observations);
    }

    /** Counts findings of one action. */
    public long count(Action action) {
        return findings.stream().filter(f -> f.action() == action).count();
    }
}
