package org.securonis.bim.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.securonis.bim.core.Names;
import org.securonis.bim.linux.WatchEvent;
import org.securonis.bim.linux.WatchListener;

/**
 * Turns kernel events into "verify this path at that time" (or "sweep now") and returns at once: it runs on
 * the inotify reader thread, which must keep reading the kernel queue.
 *
 * <p>Timing: close-write, attribute changes and renames are due at once; a delete after {@value #DELETE_SETTLE_MS}
 * ms, so that a file removed and put back at once (as {@code ln -sf} does) is one "updated", not a "deleted"
 * and then an "updated"; a new file is given
 * {@value #CREATE_SETTLE_MS} ms for its writer's close (which makes it due at once) so that a copy is one alert,
 * not an empty file and then a full one; a write without close is due {@value #MODIFY_SETTLE_MS} ms after the
 * first unverified write, so a file held open and written is verified about every second, and again on close.
 */
final class EventIntake implements WatchListener {

    static final long CREATE_SETTLE_MS = 250;
    static final long DELETE_SETTLE_MS = 100;
    static final long MODIFY_SETTLE_MS = 1000;
    private static final Logger LOG = LogManager.getLogger(EventIntake.class);

    private final PendingPaths pending;
    private final Monitor monitor;
    private final Sweeper sweeper;
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong overflows = new AtomicLong();
    private final RateLimit failures = new RateLimit(10, TimeUnit.MINUTES.toNanos(1));

    private final String configPath;
    private final Runnable configChanged;

    /** {@code configPath} (may be null): an event on it calls {@code configChanged} instead of verifying. */
    EventIntake(PendingPaths pending, Monitor monitor, Sweeper sweeper, String configPath, Runnable configChanged) {
        this.pending = pending;
        this.monitor = monitor;
        this.sweeper = sweeper;
        this.configPath = configPath;
        this.configChanged = configChanged;
    }

    private boolean isConfig(WatchEvent e) {
        return configPath != null && e.path() != null && (e.path().toString().equals(configPath)
                && e.kind() != WatchEvent.Kind.MODIFY && e.kind() != WatchEvent.Kind.DELETE
                && e.kind() != WatchEvent.Kind.MOVED_FROM);
    }

    long events() {
        return events.get();
    }

    long overflows() {
        return overflows.get();
    }

    @Override
    public void onEvent(WatchEvent e) {
        events.incrementAndGet();
        long now = System.nanoTime();
        if (isConfig(e)) {
            configChanged.run();
        }
        switch (e.kind()) {
            case CLOSE_WRITE, ATTRIB, MOVED_TO -> offer(Names.fromBytes(e.rawPath()), now);
            case DELETE, MOVED_FROM -> {
                List<String> gone = new ArrayList<>(List.of(Names.fromBytes(e.rawPath())));
                if (e.directory()) {
                    gone.addAll(monitor.recordedUnder(Names.fromBytes(e.rawPath())));
                }
                pending.offer(gone, now + TimeUnit.MILLISECONDS.toNanos(DELETE_SETTLE_MS));
            }
            case MOVED -> {
                List<String> both = new ArrayList<>(List.of(Names.fromBytes(e.rawOldPath()), Names.fromBytes(e.rawPath())));
                if (e.directory()) {
                    both.addAll(monitor.recordedUnder(Names.fromBytes(e.rawOldPath())));
                }
                pending.offer(both, now);
            }
            case CREATE -> {
                if (!e.directory()) {
                    offer(Names.fromBytes(e.rawPath()), now + TimeUnit.MILLISECONDS.toNanos(CREATE_SETTLE_MS));
                }
            }
            case MODIFY -> offer(Names.fromBytes(e.rawPath()), now + TimeUnit.MILLISECONDS.toNanos(MODIFY_SETTLE_MS));
            case OVERFLOW -> {
                overflows.incrementAndGet();
                if (failures.allow()) {
                    LOG.warn("inotify queue overflowed: events were lost; sweeping now");
                }
                sweeper.request("inotify overflow");
            }
            case WATCH_LOST -> {
                LOG.warn("watch lost on {}: {}; sweeping now", Names.escape(String.valueOf(e.path())),
                        e.message().isEmpty() ? "directory deleted or moved" : e.message());
                sweeper.request("watch lost");
            }
            case WATCH_FAILED -> {
                if (failures.allow()) {
                    LOG.warn("cannot watch {}: {}; it stays covered by every sweep",
                            Names.escape(String.valueOf(e.path())), e.message());
                }
                sweeper.request("watch failed");
            }
            case FATAL -> {
                LOG.error("the inotify reader stopped: {}; only sweeps cover the files now", e.message());
                sweeper.request("watcher stopped");
            }
            default -> {
            }
        }
        if (pending.overflowed()) {
            overflows.incrementAndGet();
            if (failures.allow()) {
                LOG.warn("event queue full: sweeping instead");
            }
            sweeper.request("event queue full");
        }
    }

    private void offer(String path, long at) {
        pending.offer(path, at);
    }
}
