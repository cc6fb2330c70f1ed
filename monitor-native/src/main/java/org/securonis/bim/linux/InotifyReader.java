package org.securonis.bim.linux;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The body of the reader thread: it alone owns the inotify fd and the watch table, blocks in
 * poll() on the inotify fd and the wake eventfd, serves typed requests from other threads, and
 * closes both fds when it ends.
 */
final class InotifyReader implements Runnable, EventRouter.Owner {
    // Large enough for a few thousand records per read, so that both halves of a rename usually share a batch.
    private static final int READ_BUFFER = 64 * 1024;
    private static final Map<Path, String> NO_FAILURES = Map.of();

    /** A request from another thread, executed on the reader thread between batches. */
    sealed interface Request permits Add, Remove, Rewatch {
    }

    /** Start watching these specs (or re-walk them if already watched). */
    record Add(List<WatchSpec> specs) implements Request {
    }

    /** Stop watching these specs. */
    record Remove(List<WatchSpec> specs) implements Request {
    }

    /** Re-walk every spec, watching directories that exist again. */
    record Rewatch() implements Request {
    }

    private record Pending(Request request, CompletableFuture<WatcherStats> done) {
    }

    private final NativeFd inotify;
    private final NativeFd wake;
    private final WatchListener listener;
    private final WatchTable table;
    private final EventRouter router;
    private final Set<WatchSpec> specs = new LinkedHashSet<>();
    private final Set<WatchEvent> outbox = new LinkedHashSet<>();
    private final ConcurrentLinkedQueue<Pending> requests = new ConcurrentLinkedQueue<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER).order(ByteOrder.nativeOrder());
    private final ByteBuffer wakeBuffer = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());

    private volatile boolean stopping;
    private volatile boolean alive = true;
    private volatile String failure = "";
    private volatile int watched;
    private volatile Map<Path, String> failed = NO_FAILURES;
    private volatile long kernelEvents;
    private volatile long overflows;
    private volatile long lostWatches;

    InotifyReader(NativeFd inotify, NativeFd wake, WatchListener listener) {
        this.inotify = inotify;
        this.wake = wake;
        this.listener = listener;
        this.table = new WatchTable(inotify, outbox::add);
        this.router = new EventRouter(table, outbox::add, this);
    }

    /** Queues a request and wakes the reader; the future completes on the reader thread, or fails if it is dead. */
    CompletableFuture<WatcherStats> submit(Request request) {
        CompletableFuture<WatcherStats> done = new CompletableFuture<>();
        requests.add(new Pending(request, done));
        signal();
        // The reader sets alive=false before its last drain, so a request queued after that drain is failed here.
        if (!alive) {
            failPending();
        }
        return done;
    }

    /** Runs a request directly; only for calls made on the reader thread itself (from the listener). */
    WatcherStats execute(Request request) {
        handle(request);
        flush();
        return stats();
    }

    /** Asks the loop to end after the record it is handling; safe from any thread, idempotent. */
    void stop() {
        stopping = true;
        signal();
    }

    /** The current counters, from any thread. */
    WatcherStats stats() {
        return new WatcherStats(watched, failed, kernelEvents, overflows, lostWatches, alive, failure);
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (Throwable t) {
            failure = describe(t);
            outbox.clear();
            try {
                listener.onEvent(WatchEvent.global(WatchEvent.Kind.FATAL, failure));
            } catch (RuntimeException ignored) {
                // The listener is what failed, most likely; the failure stays visible in stats().
            }
        } finally {
            alive = false;
            failPending();
            closeDescriptors();
        }
    }

    private void loop() throws NativeException {
        ByteBuffer pollFds = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        // struct pollfd { int fd; short events; short revents; }: 8 bytes each, inotify first, wake second.
        pollFds.putInt(0, inotify.number()).putShort(4, Flags.POLLIN);
        pollFds.putInt(8, wake.number()).putShort(12, Flags.POLLIN);
        while (!stopping) {
            pollFds.putShort(6, (short) 0).putShort(14, (short) 0);
            Syscalls.poll(pollFds, 2, -1);
            if ((pollFds.getShort(14) & Flags.POLLIN) != 0) {
                wakeBuffer.clear();
                Syscalls.read(wake, wakeBuffer);
            }
            serveRequests();
            if (stopping) {
                break;
            }
            short revents = pollFds.getShort(6);
            if ((revents & (Flags.POLLERR | Flags.POLLNVAL)) != 0) {
                throw NativeException.failure("poll", "inotify fd reported revents 0x" + Integer.toHexString(revents));
            }
            if ((revents & Flags.POLLIN) != 0) {
                readBatch();
            }
            publish();
        }
    }

    private void readBatch() {
        readBuffer.clear();
        int n;
        try {
            n = Syscalls.read(inotify, readBuffer);
        } catch (NativeException e) {
            router.overflow(e.getMessage());
            flush();
            return;
        }
        if (n <= 0) {
            return;
        }
        readBuffer.limit(n);
        List<InotifyEvent> batch;
        try {
            batch = InotifyDecoder.decode(readBuffer);
        } catch (NativeException e) {
            // Records are lost but the fd is fine: answer as for an overflow, and keep reading.
            router.overflow(e.getMessage());
            flush();
            return;
        }
        kernelEvents += batch.size();
        router.route(batch);
    }

    private void serveRequests() {
        Pending p;
        while ((p = requests.poll()) != null) {
            if (stopping) {
                p.done.completeExceptionally(new IllegalStateException("watcher is closing"));
                continue;
            }
            handle(p.request);
            flush();
            publish();
            p.done.complete(stats());
        }
    }

    private void handle(Request request) {
        if (request instanceof Add add) {
            for (WatchSpec spec : add.specs()) {
                specs.add(spec);
                table.install(spec);
            }
        } else if (request instanceof Remove remove) {
            for (WatchSpec spec : remove.specs()) {
                if (specs.remove(spec)) {
                    table.uninstall(spec);
                }
            }
        } else {
            rewalkAll();
        }
        publish();
    }

    @Override
    public void rewalkAll() {
        for (WatchSpec spec : List.copyOf(specs)) {
            table.install(spec);
        }
    }

    @Override
    public void countLostWatch() {
        lostWatches++;
    }

    @Override
    public void countOverflow() {
        overflows++;
    }

    @Override
    public boolean stopping() {
        return stopping;
    }

    // Events reach the listener in order; a duplicate from overlapping specs goes once. Stats are
    // published first so that a listener reading them sees at least what it has been told.
    @Override
    public void flush() {
        if (outbox.isEmpty()) {
            return;
        }
        publish();
        List<WatchEvent> events = new ArrayList<>(outbox);
        outbox.clear();
        for (WatchEvent e : events) {
            if (stopping) {
                return;
            }
            listener.onEvent(e);
        }
    }

    private void publish() {
        watched = table.size();
        if (table.takeFailuresChanged()) {
            failed = Map.copyOf(table.failures());
        }
    }

    private void signal() {
        try {
            // An eventfd adds the 8-byte value to its counter; any non-zero value wakes poll, whatever the byte order.
            wake.writeIfOpen(new byte[] {1, 0, 0, 0, 0, 0, 0, 0});
        } catch (NativeException e) {
            // Only EBADF could land here, meaning the reader has closed the fd and needs no waking.
        }
    }

    private void failPending() {
        Pending p;
        while ((p = requests.poll()) != null) {
            p.done.completeExceptionally(new IllegalStateException(
                    failure.isEmpty() ? "watcher is closed" : "watcher died: " + failure));
        }
    }

    // The inotify fd goes first: closing it drops every kernel watch at once.
    private void closeDescriptors() {
        watched = 0;
        for (NativeFd fd : new NativeFd[] {inotify, wake}) {
            try {
                fd.close();
            } catch (NativeException e) {
                if (failure.isEmpty()) {
                    failure = e.getMessage();
                }
            }
        }
    }

    private static String describe(Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        return "reader thread died: " + trace;
    }
}
