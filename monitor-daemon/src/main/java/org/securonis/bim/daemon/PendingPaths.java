package org.securonis.bim.daemon;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The paths waiting to be verified, each with the time it is due, coalesced per path: a burst of events on one
 * file is one verification. Bounded: when it is full, further paths are dropped and {@link #overflowed()}
 * tells the owner to sweep instead, so nothing is lost silently.
 *
 * <p>Thread-safe: the inotify listener offers, event workers take; a path taken stays "in flight" until its
 * worker calls {@link #done}, so two workers never verify the same path at once.
 */
final class PendingPaths {

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, Long> due = new HashMap<>();
    private final Set<String> inFlight = new HashSet<>();
    private boolean overflow;
    private boolean paused;
    private boolean closed;

    PendingPaths(int capacity, boolean paused) {
        this.capacity = capacity;
        this.paused = paused;
    }

    /** Asks for {@code path} to be verified at {@code atNanos} (System.nanoTime) or sooner if already due sooner. */
    void offer(String path, long atNanos) {
        offer(List.of(path), atNanos);
    }

    /**
     * Asks for all of {@code paths} at once: a worker then takes them together, so the two names of a rename are
     * verified in one batch and paired into one "moved".
     */
    void offer(List<String> paths, long atNanos) {
        lock.lock();
        try {
            for (String path : paths) {
                Long old = due.get(path);
                if (old == null) {
                    if (due.size() >= capacity) {
                        overflow = true;
                        continue;
                    }
                    due.put(path, atNanos);
                } else if (atNanos - old < 0) {
                    due.put(path, atNanos);
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether paths were dropped since the last call (and clears the flag). */
    boolean overflowed() {
        lock.lock();
        try {
            boolean o = overflow;
            overflow = false;
            return o;
        } finally {
            lock.unlock();
        }
    }

    /** Lets workers take paths (after the start-up sweep: events are buffered until then). */
    void resume() {
        lock.lock();
        try {
            paused = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting worker for good. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until some paths are due (and not in flight), then takes up to {@code max} of them; returns an
     * empty list once closed.
     */
    List<String> take(int max) throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    return List.of();
                }
                long now = System.nanoTime();
                long wait = Long.MAX_VALUE;
                List<String> out = new ArrayList<>();
                if (!paused) {
                    for (Map.Entry<String, Long> e : due.entrySet()) {
                        if (inFlight.contains(e.getKey())) {
                            continue;
                        }
                        long left = e.getValue() - now;
                        if (left <= 0) {
                            out.add(e.getKey());
                            if (out.size() == max) {
                                break;
                            }
                        } else {
                            wait = Math.min(wait, left);
                        }
                    }
                }
                if (!out.isEmpty()) {
                    for (String p : out) {
                        due.remove(p);
                        inFlight.add(p);
                    }
                    return out;
                }
                if (wait == Long.MAX_VALUE) {
                    changed.await();
                } else {
                    changed.awaitNanos(wait);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** A worker finished verifying {@code paths}. */
    void done(List<String> paths) {
        lock.lock();
        try {
            paths.forEach(inFlight::remove);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Paths waiting or in flight, for status. */
    int size() {
        lock.lock();
        try {
            return due.size() + inFlight.size();
        } finally {
            lock.unlock();
        }
    }
}
