package org.securonis.bim.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One descriptor read on a thread of its own: the thread blocks in poll() on it and on a wake eventfd, calls
 * {@link Ready#ready()} each time it is ready, closes it when it ends, and ends on {@link #close()}. Shared by the
 * fanotify and the mount-table watchers.
 */
final class PollingReader implements AutoCloseable {

    /** What is done when the descriptor is ready; a failure ends the reader and is reported to {@code onFailure}. */
    interface Ready {
        void ready() throws NativeException;
    }

    private final NativeFd fd;
    private final NativeFd wake;
    private final short events;
    private final Ready ready;
    private final java.util.function.Consumer<String> onFailure;
    private final Thread thread;

    private PollingReader(NativeFd fd, NativeFd wake, short events, Ready ready,
            java.util.function.Consumer<String> onFailure, String name) {
        this.fd = fd;
        this.wake = wake;
        this.events = events;
        this.ready = ready;
        this.onFailure = onFailure;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    /** Starts reading {@code fd} (which it then owns) when poll() says {@code events}; closes fd on failure. */
    static PollingReader start(NativeFd fd, short events, Ready ready, java.util.function.Consumer<String> onFailure,
            String name) throws NativeException {
        NativeFd wake;
        try {
            wake = Syscalls.eventfd();
        } catch (NativeException e) {
            fd.close();
            throw e;
        }
        PollingReader r = new PollingReader(fd, wake, events, ready, onFailure, name);
        r.thread.start();
        return r;
    }

    private void run() {
        ByteBuffer pollFds = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        try {
            pollFds.putInt(0, fd.number()).putShort(4, events);
            pollFds.putInt(8, wake.number()).putShort(12, Flags.POLLIN);
            while (true) {
                pollFds.putShort(6, (short) 0).putShort(14, (short) 0);
                Syscalls.poll(pollFds, 2, -1);
                if ((pollFds.getShort(14) & Flags.POLLIN) != 0) {
                    return;
                }
                if ((pollFds.getShort(6) & (events | Flags.POLLERR)) != 0) {
                    ready.ready();
                }
            }
        } catch (NativeException | RuntimeException e) {
            onFailure.accept(e.getMessage());
        } finally {
            try {
                fd.close();
            } catch (NativeException e) {
                // Nothing more can go wrong with it.
            }
        }
    }

    /** Stops the reader and closes both descriptors; safe to call more than once. */
    @Override
    public void close() {
        try {
            wake.writeIfOpen(new byte[] {1, 0, 0, 0, 0, 0, 0, 0});
        } catch (NativeException e) {
            // The reader is gone already.
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            wake.close();
        } catch (NativeException e) {
            // Closed once is enough.
        }
    }
}
