package org.securonis.bim.linux;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Sends sd_notify(3) datagrams ("READY=1", "STATUS=...", "WATCHDOG=1", "STOPPING=1") to the service
 * manager's notify socket; {@link #send} is safe from any thread, and whoever opened the notifier closes it.
 *
 * <p>Like sd_notify the socket is never connected: each datagram is addressed anew, so a notify
 * socket that systemd re-creates at the same name (daemon-reexec) keeps working. The socket blocks,
 * as sd_notify's does, while the manager's receive queue is full.
 */
public final class SystemdNotifier implements AutoCloseable {
    /** systemd reads a notification into NOTIFY_BUFFER_MAX (PIPE_BUF) bytes and ignores a longer one. */
    static final int MAX_MESSAGE_BYTES = 4096;

    private final UnixAddress address;
    private final Optional<Duration> watchdogInterval;
    private final NativeFd socket;

    private SystemdNotifier(UnixAddress address, Optional<Duration> watchdogInterval) throws NativeException {
        this.address = address;
        this.watchdogInterval = watchdogInterval;
        this.socket = Syscalls.unixDatagramSocket();
    }

    /**
     * A notifier for {@code $NOTIFY_SOCKET}, with the watchdog interval from {@code $WATCHDOG_USEC}
     * and {@code $WATCHDOG_PID}; empty when NOTIFY_SOCKET is unset or empty (not under systemd).
     *
     * @throws IllegalArgumentException when a variable is set but malformed, naming it and its value
     */
    public static Optional<SystemdNotifier> fromEnvironment(Map<String, String> env) throws NativeException {
        return fromEnvironment(env, ProcessHandle.current().pid());
    }

    /** As {@link #fromEnvironment(Map)}, for a process whose pid is {@code selfPid}. */
    static Optional<SystemdNotifier> fromEnvironment(Map<String, String> env, long selfPid) throws NativeException {
        String notifySocket = env.get("NOTIFY_SOCKET");
        if (notifySocket == null || notifySocket.isEmpty()) {
            return Optional.empty();
        }
        UnixAddress address = UnixAddress.parse(notifySocket);
        return Optional.of(new SystemdNotifier(address, watchdogInterval(env, selfPid)));
    }

    /** A notifier for {@code address} ("@abstract" or "/path") with no watchdog. */
    public static SystemdNotifier open(String address) throws NativeException {
        return new SystemdNotifier(UnixAddress.parse(Objects.requireNonNull(address, "address")), Optional.empty());
    }

    /**
     * Half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises; empty when WATCHDOG_USEC is unset or
     * WATCHDOG_PID names another process (the watchdog is then a child's or a parent's, not ours).
     */
    static Optional<Duration> watchdogInterval(Map<String, String> env, long selfPid) {
        String usec = env.get("WATCHDOG_USEC");
        if (usec == null) {
            return Optional.empty();
        }
        long micros = positive("WATCHDOG_USEC", usec);
        String pid = env.get("WATCHDOG_PID");
        if (pid != null && positive("WATCHDOG_PID", pid) != selfPid) {
            return Optional.empty();
        }
        return Optional.of(Duration.of(micros, ChronoUnit.MICROS).dividedBy(2));
    }

    /**
     * Sends {@code message} as one datagram, e.g. "READY=1\nSTATUS=watching 1234 files"; lines are
     * KEY=VALUE assignments, so a STATUS text must not itself contain a newline.
     *
     * @throws IllegalArgumentException when the message is empty, contains NUL or exceeds 4096 bytes
     * @throws IllegalStateException    when the notifier is closed
     * @throws NativeException          naming sendto, the address and the errno; "is gone" when nobody listens there
     */
    public void send(String message) throws NativeException {
        byte[] datagram = encode(message);
        // Held across the call so that close cannot release the fd number mid-send for reuse elsewhere.
        synchronized (this) {
            try {
                Syscalls.sendto(socket, datagram, address);
            } catch (NativeException e) {
                Errno errno = Errno.of(e.errno());
                if (errno == Errno.ECONNREFUSED || errno == Errno.ENOENT) {
                    // ECONNREFUSED: no socket bound to the name (or not a socket); ENOENT: the path was removed.
                    throw NativeException.of("sendto", "notify socket " + address + " is gone", e.errno());
                }
                throw e;
            }
        }
    }

    /** Half of WATCHDOG_USEC (systemd's advice), or empty when no watchdog is set or WATCHDOG_PID is another process. */
    public Optional<Duration> watchdogInterval() {
        return watchdogInterval;
    }

    /** Closes the socket; idempotent, and waits for a send in progress. */
    @Override
    public synchronized void close() {
        try {
            socket.close();
        } catch (NativeException e) {
            // close(2) on a socket we own fails only on a bug (EBADF); the fd is released either way.
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "SystemdNotifier[" + address + (watchdogInterval.map(d -> ", watchdog every " + d).orElse("")) + "]";
    }

    static byte[] encode(String message) {
        if (message.isEmpty()) {
            throw new IllegalArgumentException("notification message is empty");
        }
        if (message.indexOf('\0') >= 0) {
            // systemd drops a datagram with an embedded NUL as a whole.
            throw new IllegalArgumentException("notification message (" + message.replace('\0', '?') + ") contains NUL");
        }
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("notification message is " + bytes.length + " bytes; systemd ignores"
                    + " one longer than " + MAX_MESSAGE_BYTES);
        }
        return bytes;
    }

    private static long positive(String variable, String value) {
        long n = 0;
        // ASCII digits only: Long.parseLong would also take "+1" and other scripts' digits.
        if (value.matches("[0-9]{1,18}")) {
            n = Long.parseLong(value);
        }
        if (n <= 0) {
            throw new IllegalArgumentException(variable + " (" + value + ") must be a positive decimal number");
        }
        return n;
    }
}
