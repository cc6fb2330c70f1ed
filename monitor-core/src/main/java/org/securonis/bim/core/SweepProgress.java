package org.securonis.bim.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Live counters of a running sweep, written by its workers and read by whoever shows progress.
 */
public final class SweepProgress {

    private final AtomicLong totalFiles = new AtomicLong();
    private final AtomicLong totalBytes = new AtomicLong();
    private final AtomicLong doneFiles = new AtomicLong();
    private final AtomicLong doneBytes = new AtomicLong();

    void start(long files, long bytes) {
        totalFiles.set(files);
        totalBytes.set(bytes);
    }

    void done(long bytes) {
        doneFiles.incrementAndGet();
        doneBytes.addAndGet(bytes);
    }

    /** Files to verify in this sweep. */
    public long totalFiles() {
        return totalFiles.get();
    }

    /** Bytes expected, from the baseline's sizes (an estimate for new files). */
    public long totalBytes() {
        return totalBytes.get();
    }

    /** Files verified so far. */
    public long doneFiles() {
        return doneFiles.get();
    }

    /** Bytes read so far. */
    public long doneBytes() {
        return doneBytes.get();
    }
}
