package org.securonis.bim.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What is known about one tampered file for the forensic archive.
 *
 * @param path          the monitored path as configured
 * @param current       the state found now; null when the file was deleted
 * @param baseline      the baseline record; null when the file was created
 * @param capture       the quarantined copy, or null when nothing was captured
 * @param captureSha256 the SHA-256 of the capture as the quarantine recorded it, or null when not known
 * @param processes     the processes that ran, mapped or held the file at detection time
 */
public record Evidence(String path, FileRecord current, FileRecord baseline, Path capture, String captureSha256,
                       List<ProcessInfo> processes) {

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    public Evidence {
        Objects.requireNonNull(path, "path");
        processes = List.copyOf(processes);
        if (current == null && baseline == null) {
            throw new IllegalArgumentException("evidence for " + path + " needs a current state, a baseline, or both");
        }
        if (captureSha256 != null && !HEX64.matcher(captureSha256).matches()) {
            throw new IllegalArgumentException("captureSha256 (" + captureSha256 + ") of " + path
                    + " must be 64 lower-case hex digits");
        }
        if (captureSha256 != null && capture == null) {
            throw new IllegalArgumentException("captureSha256 of " + path + " is given without a capture");
        }
    }
}
