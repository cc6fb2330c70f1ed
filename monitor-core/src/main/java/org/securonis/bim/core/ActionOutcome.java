package org.securonis.bim.core;

import java.time.Instant;
import java.util.Objects;

/**
 * What one response stage did, for the incident report.
 *
 * @param path    the file it concerned, or null for the host (lockdown, mail)
 * @param outcome "ok", "failed" or "skipped"
 */
public record ActionOutcome(String stage, String path, String outcome, String detail, Instant time) {

    public ActionOutcome {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(time, "time");
        if (!outcome.equals("ok") && !outcome.equals("failed") && !outcome.equals("skipped")) {
            throw new IllegalArgumentException("outcome (" + outcome + ") must be ok, failed or skipped");
        }
    }
}
