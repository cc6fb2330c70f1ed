package org.securonis.bim.linux;

import java.nio.charset.StandardCharsets;

/**
 * Says when the mount table changes: {@code /proc/self/mountinfo} polled for {@code POLLPRI}, which the kernel
 * raises on every mount and unmount in this mount namespace. A file or directory mounted over a monitored one (a
 * bind mount of a trojan over {@code /usr/bin/sudo}) changes what its path reads without any write, so neither
 * inotify nor fanotify says a word; this does. A reader thread owns the descriptor.
 */
public final class MountWatcher implements AutoCloseable {

    private final PollingReader reader;

    private MountWatcher(PollingReader reader) {
        this.reader = reader;
    }

    /** Starts watching; {@code onChange} runs on the reader thread after each change (return quickly). */
    public static MountWatcher start(Runnable onChange) throws NativeException {
        byte[] path = "/proc/self/mountinfo".getBytes(StandardCharsets.US_ASCII);
        byte[] cPath = java.util.Arrays.copyOf(path, path.length + 1);
        int fd = PathHandle.retry("open", path,
                () -> LibC.files().open(cPath, Flags.O_RDONLY | Flags.O_CLOEXEC));
        // The kernel notes that a poll saw the change: the next one blocks until another.
        return new MountWatcher(PollingReader.start(new NativeFd("mountinfo", fd), Flags.POLLPRI, onChange::run,
                message -> { }, "bim-mounts"));
    }

    /** Stops the reader and closes the descriptors; safe to call more than once. */
    @Override
    public void close() {
        reader.close();
    }
}
