package org.securonis.bim.linux;

/**
 * Receives the watcher's events, one at a time, on the watcher's reader thread.
 *
 * <p>The listener must return quickly and must not block: while it runs nobody reads the
 * kernel's queue, which overflows at fs.inotify.max_queued_events. Hand each event to a
 * queue and do the work elsewhere. An exception thrown here stops the watcher (a programming
 * error must not be swallowed); the listener then receives one {@link WatchEvent.Kind#FATAL} event.
 */
@FunctionalInterface
public interface WatchListener {
    /** Called on the reader thread for every event, in the kernel's order. */
    void onEvent(WatchEvent event);
}
