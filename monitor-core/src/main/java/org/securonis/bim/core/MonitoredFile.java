package org.securonis.bim.core;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One path of the monitored set.
 *
 * @param path   the path as configured, used in records and alerts
 * @param source   where it is read from: the same path with a symlinked root resolved once
 * @param resolved {@code source} is resolved (its root through symlinks, nothing below): no directory on the way to
 *                 it may be a symlink, and a file reached only through one is not there. Without it, only the last
 *                 component is not followed (a path given by hand, through a symlinked root)
 */
public record MonitoredFile(String path, Path source, Tier tier, boolean resolved) {

    public MonitoredFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(tier, "tier");
    }

    /** A file read from {@code source} as given, following any symlink above its last component. */
    public MonitoredFile(String path, Path source, Tier tier) {
        this(path, source, tier, false);
    }
}
