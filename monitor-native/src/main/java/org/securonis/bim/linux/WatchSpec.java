package org.securonis.bim.linux;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A directory to watch, as the user configured it (it may be or pass through a symlink), and
 * whether every subdirectory below it is watched too (for {@code **} patterns).
 *
 * @param configured an absolute directory path; events are reported under this name
 * @param recursive  true to watch all subdirectories, present and future
 */
public record WatchSpec(Path configured, boolean recursive) {

    public WatchSpec {
        Objects.requireNonNull(configured, "configured");
        if (!configured.isAbsolute()) {
            throw new IllegalArgumentException("watch directory (" + configured + ") must be an absolute path");
        }
        configured = configured.normalize();
    }
}
