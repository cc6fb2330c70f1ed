package org.securonis.bim.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Says when the mount table changes: {@code /proc/self/mountinfo} polled for {@code POLLPRI}, which the kernel
 * raises on every mount and unmount in this mount namespace. A file or directory mounted over a monitored one (a
 * bind mount of a trojan over {@code /usr/bin/sudo}) changes what its path reads without any write, so neither
 * inotify nor fanotify says a word; this does. A reader thread owns the descriptor.
 */
public final class MountWatcher implements AutoCloseable {

    private final NativeFd mounts;
    private final NativeFd wake;
    private final Runnable onChange;
    private final Thread reader;

    private MountWatcher(NativeFd mounts, NativeFd wake, Runnable onChange) {
        this.mounts = mounts;
        this.wake = wake;
        this.onChange = onChange;
        this.reader = new Thread(this::run, "bim-mounts");
        this.reader.setDaemon(true);
    }

    /** Starts watching; {@code onChange} runs on the reader thread after each change (return quickly). */
    public static MountWatcher start(Runnable onChange) throws NativeException {
        byte[] path = "/proc/self/mountinfo".getBytes(StandardCharsets.US_ASCII);
        byte[] cPath = java.util.Arrays.copyOf(path, path.length + 1);
        int fd = PathHandle.retry("open", path,
                () -> LibC.FUNCTIONS.open(cPath, Flags.O_RDONLY | Flags.O_CLOEXEC));
        NativeFd m = new NativeFd("mountinfo", fd);
        NativeFd wake;
        try {
            wake = Syscalls.eventfd();
        } catch (NativeException e) {
            m.close();
            throw e;
        }
        MountWatcher w = new MountWatcher(m, wake, onChange);
        w.reader.start();
        return w;
    }

    private void run() {
        ByteBuffer pollFds = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        try {
            pollFds.putInt(0, mounts.number()).putShort(4, Flags.POLLPRI);
            pollFds.putInt(8, wake.number()).putShort(12, Flags.POLLIN);
            while (true) {
                pollFds.putShort(6, (short) 0).putShort(14, (short) 0);
                Syscalls.poll(pollFds, 2, -1);
                if ((pollFds.getShort(14) & Flags.POLLIN) != 0) {
                    return;
                }
                // The kernel notes that this poll saw the change: the next one blocks until another.
                if ((pollFds.getShort(6) & (Flags.POLLPRI | Flags.POLLERR)) != 0) {
                    onChange.run();
                }
            }
        } catch (NativeException | RuntimeException e) {
            // The watcher ends; the sweep still sees what a mount changed.
        } finally {
            try {
                mounts.close();
            } catch (NativeException e) {
                // Nothing more can go wrong with it.
            }
        }
    }

    /** Stops the reader and closes the descriptors; safe to call more than once. */
    @Override
    public void close() {
        try {
            wake.writeIfOpen(new byte[] {1, 0, 0, 0, 0, 0, 0, 0});
        } catch (NativeException e) {
            // The reader is gone already.
        }
        try {
            reader.join(5_000);
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
