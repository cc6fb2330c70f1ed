package org.securonis.bim.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.socklen_t;
import jnr.ffi.types.ssize_t;

/**
 * The service manager's end for tests: a datagram socket bound to a unix address through the same
 * socket wrapper and sockaddr_un layout the notifier uses; used by one test thread, closed by the test.
 */
final class NotifyReceiver implements AutoCloseable {
    /** The calls only a receiver makes, kept out of the production binding. */
    public interface Functions {
        /** {@code int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen)}. */
        @SaveError
        int bind(int sockfd, @In byte[] addr, @socklen_t int addrlen);

        /** {@code ssize_t recv(int sockfd, void *buf, size_t len, int flags)}. */
        @SaveError
        @ssize_t long recv(int sockfd, @Out byte[] buf, @size_t long len, int flags);
    }

    private static final Functions LIBC = LibraryLoader.create(Functions.class)
            .load(Platform.getNativePlatform().getStandardCLibraryName());
    private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    private static final int MSG_TRUNC = 0x20;
    private static final int MSG_DONTWAIT = 0x40;
    // Larger than any datagram the notifier may send, so that MSG_TRUNC reveals an overlong one.
    private static final int BUFFER = 2 * SystemdNotifier.MAX_MESSAGE_BYTES;

    private final UnixAddress address;
    private final NativeFd socket;
    private final byte[] buffer = new byte[BUFFER];
    private final ByteBuffer pollFd = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());

    private NotifyReceiver(UnixAddress address, NativeFd socket) {
        this.address = address;
        this.socket = socket;
    }

    /** Binds a new datagram socket to {@code address} ("@name" or "/path"). */
    static NotifyReceiver bind(String address) throws NativeException {
        UnixAddress to = UnixAddress.parse(address);
        NativeFd socket = Syscalls.unixDatagramSocket();
        byte[] sockaddr = to.sockaddr();
        if (LIBC.bind(socket.number(), sockaddr, sockaddr.length) != 0) {
            int errno = RUNTIME.getLastError();
            socket.close();
            throw NativeException.of("bind", address, errno);
        }
        return new NotifyReceiver(to, socket);
    }

    /** The next datagram, waiting for it with poll until {@code timeout} has passed; fails the test then. */
    byte[] receive(Duration timeout) throws NativeException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // struct pollfd { int fd; short events; short revents; }
        pollFd.putInt(0, socket.number()).putShort(4, Flags.POLLIN);
        while (true) {
            Optional<byte[]> datagram = pending();
            if (datagram.isPresent()) {
                return datagram.get();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected a datagram on " + address + " within " + timeout + ", got none");
            }
            pollFd.putShort(6, (short) 0);
            Syscalls.poll(pollFd, 1, (int) Math.max(1, Duration.ofNanos(left).toMillis()));
        }
    }

    /** The next datagram if one is queued now, without waiting. */
    Optional<byte[]> pending() throws NativeException {
        while (true) {
            long n = LIBC.recv(socket.number(), buffer, buffer.length, MSG_DONTWAIT | MSG_TRUNC);
            if (n > buffer.length) {
                throw new AssertionError("datagram of " + n + " bytes exceeds the receiver's " + buffer.length);
            }
            if (n >= 0) {
                return Optional.of(Arrays.copyOf(buffer, (int) n));
            }
            int errno = RUNTIME.getLastError();
            if (errno == Errno.EAGAIN.number()) {
                return Optional.empty();
            }
            if (errno != Errno.EINTR.number()) {
                throw NativeException.of("recv", address.toString(), errno);
            }
        }
    }

    @Override
    public void close() throws NativeException {
        socket.close();
    }

    @Override
    public String toString() {
        return "NotifyReceiver[" + address + "]";
    }
}
