package org.securonis.bim.core;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The accepted state of every monitored path, immutable; changed only by {@code init} and {@code update}.
 *
 * @param files records by path, in path order
 */
public record Baseline(int version, Instant created, Instant updated, Map<String, FileRecord> files) {

    /** The format version this build writes and reads. */
    public static final int VERSION = 1;

    public Baseline {
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(updated, "updated");
        if (version != VERSION) {
            throw new IllegalArgumentException("version (" + version + ") must be " + VERSION);
        }
        files = PathMap.of(files);
    }

    /** A baseline with no records, for the first capture. */
    public static Baseline empty(Instant now) {
        return new Baseline(VERSION, now, now, Map.of());
    }

    /** A baseline of {@code records}. */
    public static Baseline of(Instant created, Instant updated, Collection<FileRecord> records) {
        return new Baseline(VERSION, created, updated, PathMap.ofRecords(records));
    }

    /** The record of {@code path}, or null. */
    public FileRecord get(String path) {
        return files.get(path);
    }

    /** Every recorded path under the directory {@code dir} (at any depth), in path order. */
    public List<String> pathsUnder(String dir) {
        return ((PathMap) files).keysStartingWith(dir.endsWith("/") ? dir : dir + "/");
    }

    /** The number of records. */
    public int size() {
        return files.size();
    }

    /** A copy with {@code changed} records put in (null values remove) and the update time set. */
    public Baseline with(Map<String, FileRecord> changed, Instant now) {
        return new Baseline(VERSION, created, now, ((PathMap) files).with(changed));
    }
}
