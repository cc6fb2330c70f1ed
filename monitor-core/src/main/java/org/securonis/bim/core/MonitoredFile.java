package org.securonis.bim.core;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One path of the monitored set.
 *
 * @param path   the path as configured, used in records and alerts
 * @param source where it is read from: the same path with a symlinked root resolved once
 */
public record MonitoredFile(String path, Path source, Tier tier) {

    public MonitoredFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(tier, "tier");
    }
}
