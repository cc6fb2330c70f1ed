package org.securonis.bim.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One difference between a monitored path and its baseline record.
 *
 * @param previous     the baseline record (null for {@code created})
 * @param current      the state now (null for {@code deleted})
 * @param changes      the fields that differ, e.g. ["sha256", "size"] or ["mode"]
 * @param previousPath the old path of a {@code moved} file, else null
 */
public record Finding(
        Action action,
        String path,
        Tier tier,
        FileRecord previous,
        FileRecord current,
        List<String> changes,
        Source source,
        Instant time,
        String previousPath) {

    public Finding {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(time, "time");
        changes = List.copyOf(changes);
        if (action == Action.CREATED && (previous != null || current == null)) {
            throw new IllegalArgumentException("a created finding for " + path + " has a current state only");
        }
        if (action == Action.DELETED && (previous == null || current != null)) {
            throw new IllegalArgumentException("a deleted finding for " + path + " has a previous state only");
        }
        if (action == Action.MOVED && previousPath == null) {
            throw new IllegalArgumentException("a moved finding for " + path + " needs its previous path");
        }
    }

    /** True when the content (bytes, link target or file type) changed, not only attributes. */
    public boolean contentChanged() {
        return action == Action.CREATED || action == Action.UPDATED || action == Action.DELETED;
    }
}
