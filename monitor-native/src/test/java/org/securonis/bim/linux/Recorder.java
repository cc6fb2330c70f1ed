package org.securonis.bim.linux;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A listener that queues every event for the test thread, which waits for conditions with a deadline. */
final class Recorder implements WatchListener {
    static final Duration DEADLINE = Duration.ofSeconds(5);

    private final BlockingQueue<WatchEvent> queue = new LinkedBlockingQueue<>();
    private final List<WatchEvent> seen = new ArrayList<>();

    @Override
    public void onEvent(WatchEvent event) {
        queue.add(event);
    }

    /** Waits until an event matching {@code condition} arrives (or has arrived) and returns it; fails at the deadline. */
    WatchEvent await(String expected, Predicate<WatchEvent> condition) throws InterruptedException {
        synchronized (seen) {
            for (WatchEvent e : seen) {
                if (condition.test(e)) {
                    return e;
                }
            }
        }
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            WatchEvent e = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (e == null) {
                List<WatchEvent> all = seen();
                fail("expected " + expected + " within " + DEADLINE + "; got " + all.size() + " events, the last: "
                        + all.subList(Math.max(0, all.size() - 10), all.size()));
            }
            synchronized (seen) {
                seen.add(e);
            }
            if (condition.test(e)) {
                return e;
            }
        }
    }

    /** Every event received so far, in order. */
    List<WatchEvent> seen() {
        synchronized (seen) {
            queue.drainTo(seen);
            return List.copyOf(seen);
        }
    }
}
