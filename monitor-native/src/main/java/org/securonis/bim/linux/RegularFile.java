package org.securonis.bim.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * A regular file opened for reading by its exact path bytes, race-free: the path is first opened with
 * {@code O_PATH|O_NOFOLLOW} (which opens nothing: no FIFO blocks, no device acts, no link is followed), that
 * descriptor's {@code statx} says what it is, and only a regular file is then reopened for reading through
 * {@code /proc/self/fd}, which reaches the same inode whatever the path has become meanwhile. The identity
 * ({@link #inode()}, {@link #device()}) is that of the bytes read, for comparing with an earlier {@code lstat}.
 *
 * <p>Reads never update the access time where we may say so ({@code O_NOATIME}, the owner's or root's right), so a
 * sweep leaves atime to forensics. Not thread-safe; one reader at a time.
 */
public final class RegularFile implements ReadableByteChannel {


    /** Thrown when the path is there but is not a regular file (any more): a FIFO, device, socket, link or directory. */
    public static final class NotRegularException extends IOException {
        private static final long serialVersionUID = 1L;
        private final String type;

        NotRegularException(String path, String type) {
            super(path + ": is a " + type + " now, not a regular file");
            this.type = type;
        }

        /** What it is instead: "fifo", "char_device", "block_device", "socket", "symlink", "dir". */
        public String type() {
            return type;
        }
    }

    private final NativeFd fd;
    private final long inode;
    private final long device;
    private final long size;
    private ByteBuffer bounce;

    private RegularFile(NativeFd fd, long inode, long device, long size) {
        this.fd = fd;
        this.inode = inode;
        this.device = device;
        this.size = size;
    }

    /**
     * Opens {@code path} (absolute, exact bytes); a symlink in its last component is not followed. Fails with a
     * {@link NativeException} carrying the errno (ENOENT, EACCES, ENOTDIR...) or a {@link NotRegularException}.
     */
    public static RegularFile open(byte[] path) throws IOException {
        PathHandle h = PathHandle.open(path, false);
        RegularFile f = null;
        try {
            f = h.openRegular();
        } finally {
            try {
                h.close();
            } catch (NativeException e) {
                if (f != null) {
                    f.close();
                }
                throw e;
            }
        }
        return f;
    }

    /** Opens for reading the inode that the {@code O_PATH} descriptor {@code pathFd} refers to, if a regular file. */
    static RegularFile reading(int pathFd, byte[] path) throws IOException {
        ByteBuffer st = PathHandle.statx(pathFd, path);
        return reading(pathFd, path, st.getShort(28) & 0xffff, st.getLong(32),
                PathHandle.makedev(st.getInt(136), st.getInt(140)), st.getLong(40));
    }

    /**
     * As {@link #reading(int, byte[])}, with what {@code statx} of {@code pathFd} already said: an inode's type,
     * number and device never change, so the handle's own stat spares a second call.
     */
    static RegularFile reading(int pathFd, byte[] path, int mode, long inode, long device, long size)
            throws IOException {
        if ((mode & Flags.S_IFMT) != Flags.S_IFREG) {
            throw new NotRegularException(display(path), typeOf(mode));
        }
        int readFd = reopen(pathFd, path, inode, device);
        return new RegularFile(new NativeFd("file", readFd), inode, device, size);
    }

    // Reopens what pathFd refers to (not what the path names now) for reading; without /proc, the path itself
    // (O_NONBLOCK, O_NOCTTY: a FIFO or terminal swapped in cannot block us) checked against pathFd's identity.
    private static int reopen(int pathFd, byte[] path, long ino, long dev) throws IOException {
        int flags = Flags.O_RDONLY | Flags.O_NOCTTY | Flags.O_NONBLOCK | Flags.O_CLOEXEC;
        int fds = ProcFds.DIR;
        byte[] self = fds >= 0 ? decimal(pathFd) : ("/proc/self/fd/" + pathFd + "\0").getBytes(StandardCharsets.US_ASCII);
        int fd = tryOpen(fds, self, flags | Flags.O_NOATIME);
        if (fd < 0 && lastError() == Errno.EPERM.number()) {
            fd = tryOpen(fds, self, flags);
        }
        if (fd >= 0) {
            return fd;
        }
        if (lastError() != Errno.ENOENT.number()) {
            throw NativeException.of("open", display(path), lastError());
        }
        fd = tryOpen(path, flags | Flags.O_NOFOLLOW); // a path handle's own path ends with its NUL
        if (fd < 0) {
            throw NativeException.of("open", display(path), lastError());
        }
        try {
            ByteBuffer b = PathHandle.statx(fd, path);
            if (b.getLong(32) != ino || PathHandle.makedev(b.getInt(136), b.getInt(140)) != dev) {
                throw new NotRegularException(display(path), "different file");
            }
            return fd;
        } catch (IOException | RuntimeException e) {
            Syscalls.close(fd, "file");
            throw e;
        }
    }

    private static int tryOpen(byte[] cPath, int flags) {
        return tryOpen(-1, cPath, flags);
    }

    // Relative to dirFd when it is one (>= 0), else cPath as it is.
    private static int tryOpen(int dirFd, byte[] cPath, int flags) {
        while (true) {
            int fd = dirFd >= 0 ? LibC.files().openat(dirFd, cPath, flags) : LibC.files().open(cPath, flags);
            if (fd >= 0 || lastError() != Errno.EINTR.number()) {
                return fd;
            }
        }
    }

    /**
     * This process's descriptor directory, /proc/self/fd, held open (O_PATH) from first use: a reopen is then the
     * lookup of one number in it, not a walk through "/proc", "self" and "fd" for every file hashed (a tenth of a
     * check's path lookups). -1 where /proc is not mounted: each reopen then tries the whole path. Held for the
     * life of the process, and nothing may close it: were its number freed and reused by another directory, a
     * reopen would look there instead.
     */
    private static final class ProcFds {
        static final int DIR = tryOpen("/proc/self/fd\0".getBytes(StandardCharsets.US_ASCII),
                Flags.O_PATH | Flags.O_DIRECTORY | Flags.O_CLOEXEC);
    }

    /** The NUL-terminated decimal digits of {@code n} (not negative). */
    static byte[] decimal(int n) {
        int digits = 1;
        for (int v = n; v >= 10; v /= 10) {
            digits++;
        }
        byte[] out = new byte[digits + 1];
        for (int i = digits - 1, v = n; i >= 0; i--, v /= 10) {
            out[i] = (byte) ('0' + v % 10);
        }
        return out;
    }

    private static String typeOf(int mode) {
        return switch (mode & Flags.S_IFMT) {
            case 0010000 -> "fifo";
            case 0020000 -> "char_device";
            case 0040000 -> "dir";
            case 0060000 -> "block_device";
            case 0120000 -> "symlink";
            case 0140000 -> "socket";
            default -> "file of unknown type";
        };
    }

    /** The inode of the file being read. */
    public long inode() {
        return inode;
    }

    /** The device of the file being read, encoded as {@code stat}'s {@code st_dev}. */
    public long device() {
        return device;
    }

    /** The size when it was opened. */
    public long size() {
        return size;
    }

    /** Reads into {@code dst} (a direct buffer) at its position; -1 at the end of the file. */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (fd.isClosed()) {
            throw new ClosedChannelException();
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (!dst.isDirect() && dst.hasArray() && dst.arrayOffset() + dst.position() == 0) {
            // A heap buffer read from its start (the hashing loop's): into the array itself, pinned for the call.
            byte[] a = dst.array();
            while (true) {
                long n = LibC.files().read(fd.number(), a, dst.remaining());
                if (n > 0) {
                    dst.position((int) n);
                    return (int) n;
                }
                if (n == 0) {
                    return -1;
                }
                if (lastError() != Errno.EINTR.number()) {
                    throw NativeException.of("read", fd.toString(), lastError());
                }
            }
        }
        if (!dst.isDirect()) {
            // Another heap buffer (a stream's) goes through a small direct one of our own.
            if (bounce == null) {
                bounce = ByteBuffer.allocateDirect(64 << 10);
            }
            bounce.clear().limit(Math.min(bounce.capacity(), dst.remaining()));
            int n = read(bounce);
            if (n > 0) {
                dst.put(bounce.flip());
            }
            return n;
        }
        // Read at the buffer's start or, elsewhere, through a slice that starts at its position (no allocation in
        // the hashing loop, which always reads from position 0).
        ByteBuffer at = dst.position() == 0 ? dst : dst.slice();
        while (true) {
            long n = LibC.files().read(fd.number(), at, at.remaining());
            if (n > 0) {
                dst.position(dst.position() + (int) n);
                return (int) n;
            }
            if (n == 0) {
                return -1;
            }
            if (lastError() != Errno.EINTR.number()) {
                throw NativeException.of("read", fd.toString(), lastError());
            }
        }
    }

    /**
     * The file's {@code security.capability} attribute (exact bytes), empty when it has none, null when it cannot be
     * read here; from the open descriptor ({@code fgetxattr}), so of the bytes being read.
     */
    public byte[] capability() {
        if (fd.isClosed()) {
            throw new IllegalStateException("capability of a closed file");
        }
        int n = fd.number();
        return PathHandle.readCapability(buf -> LibC.files().fgetxattr(n, PathHandle.CAPABILITY, buf, buf.capacity()));
    }

    /** Sets the permission bits of the file opened ({@code fchmod}): never of another file now at its path. */
    public void setMode(int mode) throws IOException {
        if (fd.isClosed()) {
            throw new ClosedChannelException();
        }
        PathHandle.retry("fchmod", ("fd " + fd.number()).getBytes(StandardCharsets.US_ASCII),
                () -> LibC.files().fchmod(fd.number(), mode));
    }

    @Override
    public boolean isOpen() {
        return !fd.isClosed();
    }

    @Override
    public void close() throws IOException {
        fd.close();
    }

    private static int lastError() {
        return LibC.RUNTIME.getLastError();
    }

    private static String display(byte[] path) {
        return Syscalls.display(path);
    }
}
