package org.securonis.bim.linux;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One wrapper per system call: each makes the call, retries EINTR, and otherwise throws a
 * {@link NativeException} naming the call, the path and the errno; callable from any thread.
 */
final class Syscalls {
    // From sys/socket.h (asm-generic values); only the socket wrappers below use them.
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = Flags.O_CLOEXEC;
    private static final int MSG_NOSIGNAL = 0x4000;

    private Syscalls() {
    }

    /** A new non-blocking, close-on-exec inotify instance; the caller closes it. */
    static NativeFd inotifyInit() throws NativeException {
        while (true) {
            int fd = LibC.events().inotify_init1(Flags.IN_NONBLOCK | Flags.IN_CLOEXEC);
            if (fd >= 0) {
                return new NativeFd("inotify", fd);
            }
            failUnlessEintr("inotify_init1", null);
        }
    }

    /** A new non-blocking, close-on-exec eventfd with counter 0; the caller closes it. */
    static NativeFd eventfd() throws NativeException {
        while (true) {
            int fd = LibC.events().eventfd(0, Flags.EFD_NONBLOCK | Flags.EFD_CLOEXEC);
            if (fd >= 0) {
                return new NativeFd("eventfd", fd);
            }
            failUnlessEintr("eventfd", null);
        }
    }

    /** Adds or updates the watch on {@code path} and returns its watch descriptor. */
    static int addWatch(NativeFd inotify, byte[] path, int mask) throws NativeException {
        byte[] cPath = cString(path);
        while (true) {
            int wd = LibC.events().inotify_add_watch(inotify.number(), cPath, mask);
            if (wd >= 0) {
                return wd;
            }
            failUnlessEintr("inotify_add_watch", path);
        }
    }

    /** Removes a watch; returns false when the kernel had already dropped it (EINVAL). */
    static boolean rmWatch(NativeFd inotify, int wd) throws NativeException {
        while (true) {
            if (LibC.events().inotify_rm_watch(inotify.number(), wd) == 0) {
                return true;
            }
            // A watch whose directory was just deleted is gone before we hear about it.
            if (lastError() == Errno.EINVAL.number()) {
                return false;
            }
            failUnlessEintr("inotify_rm_watch", null);
        }
    }

    /** Reads into {@code buf} from position 0 and returns the byte count, or -1 when nothing is ready. */
    static int read(NativeFd fd, ByteBuffer buf) throws NativeException {
        while (true) {
            long n = LibC.files().read(fd.number(), buf, buf.capacity());
            if (n >= 0) {
                return (int) n;
            }
            if (lastError() == Errno.EAGAIN.number()) {
                return -1;
            }
            failUnlessEintr("read", null);
        }
    }

    /** Writes all of {@code data} (an eventfd increment); a saturated eventfd (EAGAIN) is already signalled. */
    static void write(NativeFd fd, byte[] data) throws NativeException {
        while (true) {
            long n = LibC.events().write(fd.number(), data, data.length);
            if (n == data.length) {
                return;
            }
            if (n >= 0) {
                throw NativeException.failure("write", "short write of " + n + " bytes to " + fd);
            }
            if (lastError() == Errno.EAGAIN.number()) {
                return;
            }
            failUnlessEintr("write", null);
        }
    }

    /** Waits on {@code nfds} pollfd records in {@code fds} ({@code -1} = forever) and returns how many are ready. */
    static int poll(ByteBuffer fds, int nfds, int timeoutMillis) throws NativeException {
        while (true) {
            int n = LibC.events().poll(fds, nfds, timeoutMillis);
            if (n >= 0) {
                return n;
            }
            failUnlessEintr("poll", null);
        }
    }

    /** Opens a directory for listing, refusing symlinks; the caller closes it. */
    static NativeFd openDirectory(byte[] path) throws NativeException {
        byte[] cPath = cString(path);
        while (true) {
            int fd = LibC.files().open(cPath, Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC);
            if (fd >= 0) {
                return new NativeFd("directory", fd);
            }
            failUnlessEintr("open", path);
        }
    }

    /** Reads the next directory records into {@code buf} from position 0; returns 0 at the end. */
    static int getdents(NativeFd dir, ByteBuffer buf, byte[] path) throws NativeException {
        while (true) {
            long n = LibC.files().getdents64(dir.number(), buf, buf.capacity());
            if (n >= 0) {
                return (int) n;
            }
            failUnlessEintr("getdents64", path);
        }
    }

    /** A new unbound, close-on-exec AF_UNIX datagram socket (blocking, as sd_notify's); the caller closes it. */
    static NativeFd unixDatagramSocket() throws NativeException {
        while (true) {
            int fd = LibC.events().socket(UnixAddress.AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd >= 0) {
                return new NativeFd("unix datagram socket", fd);
            }
            failUnlessEintr("socket", null);
        }
    }

    /**
     * Sends {@code datagram} as one datagram to {@code to}; blocks while the receiver's queue is full.
     * MSG_NOSIGNAL as in sd_notify: a vanished peer is an errno, never a SIGPIPE.
     */
    static void sendto(NativeFd socket, byte[] datagram, UnixAddress to) throws NativeException {
        byte[] sockaddr = to.sockaddr();
        while (true) {
            long n = LibC.events().sendto(socket.number(), datagram, datagram.length, MSG_NOSIGNAL, sockaddr, sockaddr.length);
            if (n == datagram.length) {
                return;
            }
            if (n >= 0) {
                throw NativeException.failure("sendto", "short send of " + n + " of " + datagram.length + " bytes to " + to);
            }
            int errno = lastError();
            if (errno != Errno.EINTR.number()) {
                throw NativeException.of("sendto", to.toString(), errno);
            }
        }
    }

    /** Closes a raw descriptor; EINTR is not retried because Linux has released the number already. */
    static void close(int fd, String what) throws NativeException {
        if (LibC.files().close(fd) != 0) {
            int errno = lastError();
            if (errno != Errno.EINTR.number()) {
                throw NativeException.of("close", what + " fd " + fd, errno);
            }
        }
    }

    /**
     * The path bytes as the UTF-8 text used in messages (invalid bytes shown as U+FFFD), without the terminating NUL
     * where they end with one (no path holds a NUL).
     */
    static String display(byte[] path) {
        int n = path.length > 0 && path[path.length - 1] == 0 ? path.length - 1 : path.length;
        return new String(path, 0, n, StandardCharsets.UTF_8);
    }

    private static int lastError() {
        return LibC.RUNTIME.getLastError();
    }

    private static void failUnlessEintr(String call, byte[] path) throws NativeException {
        int errno = lastError();
        if (errno != Errno.EINTR.number()) {
            throw NativeException.of(call, path == null ? null : display(path), errno);
        }
    }

    /** {@code path} and a terminating NUL, as the C calls take it. */
    static byte[] cString(byte[] path) {
        return Arrays.copyOf(path, path.length + 1);
    }

    /** {@code cPath} itself, after checking that it ends with its terminating NUL. */
    static byte[] terminated(byte[] cPath) {
        if (cPath.length == 0 || cPath[cPath.length - 1] != 0) {
            throw new IllegalArgumentException("a path without its terminating NUL");
        }
        return cPath;
    }
}
