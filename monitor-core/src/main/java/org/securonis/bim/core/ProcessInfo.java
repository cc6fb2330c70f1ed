package org.securonis.bim.core;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A process tied to a file at detection time: it runs the file, maps it, or holds it open.
 *
 * @param uid     the real uid from {@code /proc/<pid>/status}
 * @param name    the kernel's command name ({@code Name:} of the status file)
 * @param cmdline the arguments joined by spaces; empty for a kernel thread or a zombie
 * @param exe     where {@code /proc/<pid>/exe} points, or null when it cannot be read
 * @param how     how the process refers to the file: a subset of "exe", "map", "fd", in that order
 * @param parents the ppid chain, nearest first, up to pid 1 (or the first ancestor that is gone)
 */
public record ProcessInfo(long pid, long ppid, long uid, String name, String cmdline, String exe,
                          List<String> how, List<Long> parents) {

    /** The ways a process can refer to a file, in the order they are listed. */
    public static final List<String> HOW = List.of("exe", "map", "fd");

    public ProcessInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cmdline, "cmdline");
        how = List.copyOf(how);
        parents = List.copyOf(parents);
        if (pid < 1) {
            throw new IllegalArgumentException("pid (" + pid + ") must be at least 1");
        }
        if (ppid < 0) {
            throw new IllegalArgumentException("ppid (" + ppid + ") of pid " + pid + " must not be negative");
        }
        if (!HOW.containsAll(how) || Set.copyOf(how).size() != how.size()) {
            throw new IllegalArgumentException("how (" + how + ") of pid " + pid
                    + " must be distinct values out of " + HOW);
        }
    }
}
