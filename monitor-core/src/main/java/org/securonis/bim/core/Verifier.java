package org.securonis.bim.core;

import java.time.Clock;
import java.time.Instant;

/**
 * The one verification routine: capture a path now and compare it with its baseline record. Sweeps and
 * real-time events both come here; an event only decides which path is verified when.
 *
 * <p>Thread-safe; called from the sweep's workers and the daemon's event workers alike.
 */
public final class Verifier {

    /**
     * The outcome of one verification.
     *
     * @param finding the difference found, or null when the path matches its record
     */
    public record Verification(MonitoredFile file, FileRecord record, Observation observation, Finding finding) {
    }

    private final Inspector inspector;
    private final Clock clock;

    public Verifier(Inspector inspector, Clock clock) {
        this.inspector = inspector;
        this.clock = clock;
    }

    /** The inspector it captures with. */
    public Inspector inspector() {
        return inspector;
    }

    /** Verifies {@code file} against {@code record} (null when the baseline has none). */
    public Verification verify(MonitoredFile file, FileRecord record, Source source) {
        Observation now = inspector.capture(file);
        return compare(file, record, now, source, Instant.now(clock));
    }

    /** Compares {@code now}, a capture of {@code file} taken at {@code time}, with {@code record} (null: none). */
    public Verification compare(MonitoredFile file, FileRecord record, Observation now, Source source, Instant time) {
        Finding finding = Classifier.classify(file.path(), file.tier(), record, now, source, time);
        return new Verification(file, record, now, finding);
    }
}
