package org.securonis.bim.linux;

/**
 * Owns one file descriptor: hands out its number until closed, and closes it exactly once;
 * whoever created it closes it, and close is safe from any thread, any number of times.
 */
final class NativeFd implements AutoCloseable {
    private final String what;
    private final int fd;
    private boolean closed;

    NativeFd(String what, int fd) {
        this.what = what;
        this.fd = fd;
    }

    /** The descriptor number; fails once closed so a recycled number is never used by mistake. */
    synchronized int number() {
        if (closed) {
            throw new IllegalStateException(what + " (fd " + fd + ") is closed");
        }
        return fd;
    }

    /** True once {@link #close} has run. */
    synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Writes to the descriptor unless it is closed, holding the lock so that close cannot slip
     * in between and let the number be recycled under the write; returns false when closed.
     */
    synchronized boolean writeIfOpen(byte[] data) throws NativeException {
        if (closed) {
            return false;
        }
        Syscalls.write(this, data);
        return true;
    }

    /** Closes the descriptor once; later calls do nothing. */
    @Override
    public synchronized void close() throws NativeException {
        if (closed) {
            return;
        }
        closed = true;
        Syscalls.close(fd, what);
    }

    @Override
    public String toString() {
        return what + " fd " + fd;
    }
}
