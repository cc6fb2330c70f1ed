package org.securonis.bim.linux;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Watches directory trees through one inotify instance and reports changes to a
 * {@link WatchListener} on its own reader thread; the creator closes it.
 *
 * <p>{@link #start} returns once every watch is installed, so the caller can sweep right after
 * and miss nothing: what changes from then on arrives as events. Directories that could not be
 * watched arrive as WATCH_FAILED events (during start, before it returns) and stay listed in
 * {@link #stats()}; the watcher carries on with the rest. All methods are thread-safe.
 */
public final class TreeWatcher implements AutoCloseable {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    // How long close() lets a slow listener finish before interrupting it.
    private static final long CLOSE_GRACE_MILLIS = 5_000;

    private final InotifyReader reader;
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();

    private TreeWatcher(InotifyReader reader, Thread thread) {
        this.reader = reader;
        this.thread = thread;
    }

    /**
     * Creates the inotify instance, starts the reader thread (named "bim-inotify-N") and installs
     * watches for {@code specs}, returning once they are in place; throws when no inotify instance
     * can be had (EMFILE: fs.inotify.max_user_instances), in which case only sweeps can cover the files.
     */
    public static TreeWatcher start(List<WatchSpec> specs, WatchListener listener) throws NativeException {
        List<WatchSpec> initial = List.copyOf(specs);
        Objects.requireNonNull(listener, "listener");
        NativeFd inotify = Syscalls.inotifyInit();
        NativeFd wake;
        try {
            wake = Syscalls.eventfd();
        } catch (NativeException e) {
            closeQuietly(inotify, e);
            throw e;
        }
        InotifyReader reader = new InotifyReader(inotify, wake, listener);
        Thread thread = new Thread(reader, "bim-inotify-" + SEQUENCE.incrementAndGet());
        // A forgotten watcher must not keep the JVM alive; the daemon closes it on its way out.
        thread.setDaemon(true);
        TreeWatcher watcher = new TreeWatcher(reader, thread);
        thread.start();
        try {
            watcher.request(new InotifyReader.Add(initial));
        } catch (IllegalStateException e) {
            watcher.close();
            throw NativeException.failure("start", e.getMessage());
        }
        return watcher;
    }

    /** Adds specs (for a configuration reload) and returns once they are watched; blocks the caller, not the reader. */
    public WatcherStats addSpecs(List<WatchSpec> specs) {
        return request(new InotifyReader.Add(List.copyOf(specs)));
    }

    /** Stops watching specs (for a configuration reload) and returns once their watches are gone. */
    public WatcherStats removeSpecs(List<WatchSpec> specs) {
        return request(new InotifyReader.Remove(List.copyOf(specs)));
    }

    /**
     * Re-walks every spec, watching roots and subdirectories that exist again (after WATCH_LOST or
     * WATCH_FAILED); emits no CREATE events, so the caller sweeps what it brings back.
     */
    public WatcherStats rewatch() {
        return request(new InotifyReader.Rewatch());
    }

    /** A snapshot of the counters and failures, from any thread, at any time (also after close). */
    public WatcherStats stats() {
        return reader.stats();
    }

    /**
     * Stops the reader thread and waits for it to close both descriptors; idempotent. A listener
     * still running after a grace period is interrupted. Called from the listener itself, it only
     * asks the thread to stop, which then ends as soon as the listener returns.
     */
    @Override
    public void close() {
        boolean first = closed.compareAndSet(false, true);
        if (first) {
            reader.stop();
        }
        if (Thread.currentThread() == thread) {
            return;
        }
        boolean interrupted = false;
        boolean nudged = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_GRACE_MILLIS);
        while (thread.isAlive()) {
            try {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left > 0 || nudged) {
                    thread.join(Math.max(left, 0));
                } else {
                    thread.interrupt();
                    nudged = true;
                }
            } catch (InterruptedException e) {
                // Leaving now would leave the fds open behind us; finish the join, then restore the flag.
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private WatcherStats request(InotifyReader.Request request) {
        if (closed.get()) {
            throw new IllegalStateException("watcher is closed");
        }
        if (Thread.currentThread() == thread) {
            return reader.execute(request);
        }
        CompletableFuture<WatcherStats> done = reader.submit(request);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return done.get();
                } catch (InterruptedException e) {
                    // The request is already queued and will run; wait for it rather than leave it half-known.
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw unwrap(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static RuntimeException unwrap(Throwable cause) {
        if (cause instanceof RuntimeException r) {
            return r;
        }
        return new CompletionException(cause);
    }

    private static void closeQuietly(NativeFd fd, Exception primary) {
        try {
            fd.close();
        } catch (NativeException e) {
            primary.addSuppressed(e);
        }
    }
}
