package org.securonis.bim.core;

import java.util.Objects;

/**
 * One row of the process list, as read from {@code /proc/<pid>}.
 *
 * @param state the {@code State:} of the status file, e.g. "S (sleeping)"
 * @param exe   where {@code exe} points, or null when it cannot be read (kernel threads, permissions)
 */
record ProcEntry(long pid, long ppid, long uid, String name, String state, String cmdline, String exe) {

    ProcEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(cmdline, "cmdline");
        if (pid < 1) {
            throw new IllegalArgumentException("pid (" + pid + ") must be at least 1");
        }
    }
}
