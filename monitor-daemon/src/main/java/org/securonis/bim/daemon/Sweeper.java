package org.securonis.bim.daemon;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs full sweeps on its own thread ("bim-sweeper"): every {@code interval} seconds (with up to 2% jitter, so a
 * fleet does not sweep in step) and whenever asked (signal, overflow, lost watch). Requests made while a sweep
 * runs are coalesced into one sweep after it. Closed by the daemon; an in-flight sweep is interrupted.
 */
final class Sweeper implements AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(Sweeper.class);

    /** What one sweep does; the daemon's monitor. */
    interface Job {
        void sweep(String trigger) throws InterruptedException;
    }

    private final Job job;
    private volatile long intervalNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Thread thread;
    private String requested;
    private boolean closed;
    private long sweeps;

    Sweeper(Job job, long intervalSeconds) {
        this.job = job;
        this.intervalNanos = TimeUnit.SECONDS.toNanos(intervalSeconds);
        this.thread = new Thread(this::loop, "bim-sweeper");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Asks for a sweep as soon as possible; returns at once. */
    void request(String trigger) {
        lock.lock();
        try {
            if (requested == null) {
                requested = trigger;
            }
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A new interval (a reload); the sweep already scheduled keeps its time, the next uses the new one. */
    void setInterval(long seconds) {
        intervalNanos = TimeUnit.SECONDS.toNanos(seconds);
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the sweeper thread runs (for the watchdog). */
    boolean alive() {
        return thread.isAlive();
    }

    long sweeps() {
        lock.lock();
        try {
            return sweeps;
        } finally {
            lock.unlock();
        }
    }

    private long nextDelay() {
        long jitter = intervalNanos / 50;
        return intervalNanos + (jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter) : 0);
    }

    private void loop() {
        long due = System.nanoTime() + nextDelay();
        while (true) {
            String trigger;
            lock.lock();
            try {
                while (!closed && requested == null && due - System.nanoTime() > 0) {
                    wake.awaitNanos(due - System.nanoTime());
                }
                if (closed) {
                    return;
                }
                trigger = requested != null ? requested : "interval";
                requested = null;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            try {
                LOG.info("sweep started ({})", trigger);
                job.sweep(trigger);
                Monitor.returnSweepMemory();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("sweep ({}) failed", trigger, e);
            }
            lock.lock();
            try {
                sweeps++;
            } finally {
                lock.unlock();
            }
            due = System.nanoTime() + nextDelay();
        }
    }

    @Override
    public void close() throws InterruptedException {
        lock.lock();
        try {
            closed = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        thread.interrupt();
        thread.join();
    }
}
