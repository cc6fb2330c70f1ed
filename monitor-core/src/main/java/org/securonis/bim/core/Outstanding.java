package org.securonis.bim.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The changes detected but not yet accepted, one per path, so that each change is alerted once: a burst of
 * events or a later sweep that finds the same tampered state again is quiet, a further change is a new alert,
 * and a path that matches its baseline again drops out.
 *
 * <p>Thread-safe; shared by the event workers and the sweeper.
 */
public final class Outstanding {

    /**
     * One unaccepted change.
     *
     * @param since when it was first alerted
     * @param state the fingerprint of the state that was alerted
     */
    public record Entry(String path, Action action, Tier tier, Instant since, String state) {
        public Entry {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(tier, "tier");
            Objects.requireNonNull(since, "since");
            Objects.requireNonNull(state, "state");
        }
    }

    private final Map<String, Entry> entries = new TreeMap<>();

    /** Starts from entries kept by an earlier run. */
    public Outstanding(Collection<Entry> earlier) {
        for (Entry e : earlier) {
            entries.put(e.path(), e);
        }
    }

    /** Whether {@code finding} is new and must be alerted; records it as outstanding when it is. */
    public synchronized boolean admit(Finding finding) {
        String state = fingerprint(finding.action(), finding.current());
        Entry old = entries.get(finding.path());
        if (old != null && old.state().equals(state)) {
            return false;
        }
        entries.put(finding.path(), new Entry(finding.path(), finding.action(), finding.tier(), finding.time(), state));
        if (finding.previousPath() != null) {
            entries.remove(finding.previousPath());
        }
        return true;
    }

    /** The path matches its baseline (again): returns the entry it had, or null. */
    public synchronized Entry clear(String path) {
        return entries.remove(path);
    }

    /** Every outstanding change, in path order. */
    public synchronized List<Entry> entries() {
        return new ArrayList<>(entries.values());
    }

    /** The number of outstanding changes. */
    public synchronized int size() {
        return entries.size();
    }

    /** What identifies a state for de-duplication: everything the classifier compares, or "missing". */
    static String fingerprint(Action action, FileRecord r) {
        if (r == null) {
            return action.label() + ":missing";
        }
        return action.label() + ":" + r.type().label() + ":" + r.sha256() + ":" + r.size() + ":" + r.modeString()
                + ":" + r.uid() + ":" + r.gid() + ":" + r.device() + ":" + r.inode() + ":" + r.nlink() + ":"
                + r.target() + ":" + r.capability();
    }
}
