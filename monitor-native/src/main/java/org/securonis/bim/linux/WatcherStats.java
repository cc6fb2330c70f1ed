package org.securonis.bim.linux;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of a watcher's health, safe to read from any thread.
 *
 * @param watchedDirectories directories (inodes) with an inotify watch now
 * @param failedDirectories  directories that could not be watched, under their reported name, with the reason
 * @param kernelEvents       inotify records read so far
 * @param overflows          kernel queue overflows (and unreadable batches) so far
 * @param lostWatches        watches the kernel dropped that we did not remove ourselves
 * @param alive              false once the reader thread has ended, by close or by failure
 * @param failure            why the reader thread died, or "" while it lives or after an orderly close
 */
public record WatcherStats(int watchedDirectories, Map<Path, String> failedDirectories, long kernelEvents,
        long overflows, long lostWatches, boolean alive, String failure) {

    public WatcherStats {
        failedDirectories = Map.copyOf(failedDirectories);
        Objects.requireNonNull(failure, "failure");
    }
}
