package org.securonis.bim.daemon;

/** Allows at most {@code burst} log lines per window, so a flood of the same trouble cannot flood the log. */
final class RateLimit {

    private final int burst;
    private final long windowNanos;
    private long windowStart = System.nanoTime();
    private int used;

    RateLimit(int burst, long windowNanos) {
        this.burst = burst;
        this.windowNanos = windowNanos;
    }

    synchronized boolean allow() {
        long now = System.nanoTime();
        if (now - windowStart > windowNanos) {
            windowStart = now;
            used = 0;
        }
        return used++ < burst;
    }
}
