package org.securonis.bim.core;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A byte-rate limit shared by a sweep's workers ({@code sweep_max_mb_per_s}), so a sweep on a busy server stays in
 * the background: each read is paid for before the next, and a worker that is ahead of the rate waits.
 * Thread-safe; the clock and the wait are injected so the arithmetic is testable without timing.
 */
public final class Throttle {

    /** How a worker waits (the real one sleeps). */
    @FunctionalInterface
    public interface Waiter {
        void waitNanos(long nanos) throws InterruptedException;
    }

    private final double nanosPerByte;
    private final LongSupplier clock;
    private final Waiter waiter;
    private long next;

    public Throttle(long bytesPerSecond, LongSupplier clock, Waiter waiter) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("bytesPerSecond (" + bytesPerSecond + ") must be at least 1");
        }
        this.nanosPerByte = 1e9 / bytesPerSecond;
        this.clock = clock;
        this.waiter = waiter;
        this.next = clock.getAsLong();
    }

    /** The real one: System.nanoTime and sleeping. */
    public static Throttle of(long bytesPerSecond) {
        return new Throttle(bytesPerSecond, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
    }

    /** Pays for {@code bytes}: returns at once while under the rate, otherwise after the wait it takes to get back. */
    public void acquire(long bytes) throws InterruptedException {
        long wait;
        synchronized (this) {
            long now = clock.getAsLong();
            // Idle time is not saved up: a burst after a pause is not allowed above the rate.
            if (next - now < 0) {
                next = now;
            }
            next += (long) (bytes * nanosPerByte);
            wait = next - now;
        }
        if (wait > 0) {
            waiter.waitNanos(wait);
        }
    }
}
