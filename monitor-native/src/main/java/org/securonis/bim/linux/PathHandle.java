package org.securonis.bim.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A path looked up once, without following any symlink, and held as an {@code O_PATH} descriptor: nothing is
 * opened (a FIFO does not block, a device does not act), and what it names cannot change under it. Its
 * {@link #stat() statx}, its {@link #readLink() link target} and a {@link #openRegular() read} all concern that
 * one inode, whatever the path names a moment later.
 *
 * <p>With {@code noSymlinks}, no component of the path may be a symlink: the lookup fails with ELOOP rather than
 * go through one ({@code openat2}'s {@code RESOLVE_NO_SYMLINKS}, Linux 5.6; before that, or where a sandbox
 * refuses {@code openat2}, one {@code openat(O_PATH|O_NOFOLLOW)} per component from "/", which is as strict).
 * A last component that is a symlink is the link itself, never its target. Not thread-safe.
 */
public final class PathHandle implements AutoCloseable {

    private static final byte[] EMPTY = {0};
    private static final int STATX_BYTES = 256;
    private static final int OPENAT2 = 437; // the same number on every architecture since Linux 5.1's unification
    private static final long RESOLVE_NO_SYMLINKS = 0x04;
    private static final int AT_FDCWD = -100;
    private static final ThreadLocal<ByteBuffer> STATX = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(STATX_BYTES).order(ByteOrder.nativeOrder()));
    private static final ThreadLocal<ByteBuffer> LINK = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(4097));
    /** A call interrupted (EINTR, EAGAIN) this many times in a row is given up, not retried for ever. */
    private static final int MAX_RETRIES = 1000;
    /** Whether openat2 works here: asked once, on "/" (an old kernel says ENOSYS, a seccomp filter EPERM). */
    private static volatile Boolean openat2;

    /** What {@code statx} said about the inode: the fields {@code lstat} has, in its encodings. */
    public record Stat(int mode, int uid, int gid, int nlink, long size, long inode, long device,
            long mtimeSeconds, int mtimeNanos, long ctimeSeconds, int ctimeNanos) {
        /** Whether the inode is a regular file. */
        public boolean isRegular() {
            return (mode & Flags.S_IFMT) == Flags.S_IFREG;
        }

        /** Whether the inode is a symlink. */
        public boolean isSymlink() {
            return (mode & Flags.S_IFMT) == 0120000;
        }
    }

    private final int fd;
    private final byte[] path; // NUL-terminated; for messages and the reopen's fallback
    private boolean closed;
    /** The last {@link #stat()} (null before one): its type and identity are the inode's for good. */
    private Stat stat;

    private PathHandle(int fd, byte[] path) {
        this.fd = fd;
        this.path = path;
    }

    /**
     * Looks {@code path} (absolute, exact bytes) up. Fails with a {@link NativeException} carrying the errno:
     * ENOENT, ENOTDIR, EACCES, and with {@code noSymlinks} ELOOP for a symlink above the last component.
     */
    public static PathHandle open(byte[] path, boolean noSymlinks) throws NativeException {
        return openTerminated(Syscalls.cString(path), noSymlinks);
    }

    /**
     * As {@link #open(byte[], boolean)}, of a path given with its terminating NUL ({@code cPath}, used as it is
     * and kept, not copied): a sweep makes its calls for a file with one array.
     */
    public static PathHandle openTerminated(byte[] cPath, boolean noSymlinks) throws NativeException {
        Syscalls.terminated(cPath);
        int flags = Flags.O_PATH | Flags.O_NOFOLLOW | Flags.O_CLOEXEC;
        if (!noSymlinks) {
            return new PathHandle(retry("open", cPath, () -> LibC.files().open(cPath, flags)), cPath);
        }
        if (openat2()) {
            for (int tries = 1; ; tries++) {
                long fd = LibC.files().syscall(OPENAT2, AT_FDCWD, cPath, NO_SYMLINKS_HOW, NO_SYMLINKS_HOW.length);
                if (fd >= 0) {
                    return new PathHandle((int) fd, cPath);
                }
                int errno = lastError();
                if ((errno == Errno.EINTR.number() || errno == Errno.EAGAIN.number()) && tries < MAX_RETRIES) {
                    continue;
                }
                throw NativeException.of("openat2", display(cPath), errno);
            }
        }
        return new PathHandle(walk(Arrays.copyOf(cPath, cPath.length - 1), flags), cPath);
    }

    // The open_how of every lookup that follows no symlink: read by the kernel only, so one array serves all calls.
    private static final byte[] NO_SYMLINKS_HOW = openHow(Flags.O_PATH | Flags.O_NOFOLLOW | Flags.O_CLOEXEC,
            RESOLVE_NO_SYMLINKS);

    static void disableOpenat2ForTest(boolean disabled) {
        openat2 = disabled ? Boolean.FALSE : null;
    }

    // Probed once: a later EPERM is a real refusal of that one path (an LSM, a FUSE server), not "no openat2".
    private static boolean openat2() {
        Boolean known = openat2;
        if (known == null) {
            byte[] how = openHow(Flags.O_PATH | Flags.O_CLOEXEC, RESOLVE_NO_SYMLINKS);
            long fd;
            int tries = 0;
            do {
                fd = LibC.files().syscall(OPENAT2, AT_FDCWD, new byte[] {'/', 0}, how, how.length);
            } while (fd < 0 && lastError() == Errno.EINTR.number() && ++tries < MAX_RETRIES);
            if (fd >= 0) {
                LibC.files().close((int) fd);
            }
            known = fd >= 0;
            openat2 = known;
        }
        return known;
    }

    private static byte[] openHow(int flags, long resolve) {
        // struct open_how { __u64 flags; __u64 mode; __u64 resolve; }
        return ByteBuffer.allocate(24).order(ByteOrder.nativeOrder())
                .putLong(flags & 0xffffffffL).putLong(0).putLong(resolve).array();
    }

    // One component at a time from "/": each opened O_PATH|O_NOFOLLOW relative to its parent, and every one but
    // the last must be a directory (a symlink there fails with ELOOP, as openat2 would).
    private static int walk(byte[] path, int flags) throws NativeException {
        if (path.length == 0 || path[0] != '/') {
            throw NativeException.of("open", display(path), Errno.EINVAL.number());
        }
        int dir = retry("open", path, () -> LibC.files().open(new byte[] {'/', 0}, flags | Flags.O_DIRECTORY));
        int start = 1;
        try {
            while (true) {
                while (start < path.length && path[start] == '/') {
                    start++;
                }
                int end = start;
                while (end < path.length && path[end] != '/') {
                    end++;
                }
                if (start == end) {
                    int last = dir;
                    dir = -1;
                    return last;
                }
                byte[] name = Arrays.copyOfRange(path, start, end + 1);
                name[name.length - 1] = 0;
                if (name.length == 3 && name[0] == '.' && name[1] == '.' || name.length == 2 && name[0] == '.') {
                    throw NativeException.of("open", display(path), Errno.EINVAL.number()); // paths come normalized
                }
                int parent = dir;
                int next = retry("openat", path, () -> LibC.files().openat(parent, name, flags));
                dir = next; // before the close, so that a failed close neither leaks next nor closes parent twice
                Syscalls.close(parent, "O_PATH");
                boolean more = false;
                for (int i = end; i < path.length; i++) {
                    if (path[i] != '/') {
                        more = true;
                        break;
                    }
                }
                if (!more) {
                    int last = dir;
                    dir = -1;
                    return last;
                }
                int mode = statx(dir, path).getShort(28) & 0xffff;
                if ((mode & Flags.S_IFMT) == 0120000) {
                    throw NativeException.of("open", display(path), Errno.ELOOP.number());
                }
                if ((mode & Flags.S_IFMT) != 0040000) {
                    throw NativeException.of("open", display(path), Errno.ENOTDIR.number());
                }
                start = end;
            }
        } finally {
            if (dir >= 0) {
                Syscalls.close(dir, "O_PATH");
            }
        }
    }

    /** What the inode is now (its metadata can change; its identity cannot). */
    public Stat stat() throws NativeException {
        Stat st = decode(statx(fd(), path));
        stat = st;
        return st;
    }

    /**
     * {@code lstat} of {@code path} in one call: the last component is not followed, those above it are. Enough to
     * see whether a path still names what a handle looked up (another inode, another time), not to look it up.
     */
    public static Stat lstat(byte[] path) throws NativeException {
        return lstatTerminated(Syscalls.cString(path));
    }

    /** As {@link #lstat(byte[])}, of a path given with its terminating NUL, used as it is. */
    public static Stat lstatTerminated(byte[] cPath) throws NativeException {
        Syscalls.terminated(cPath);
        ByteBuffer st = STATX.get();
        st.clear();
        retry("statx", cPath, () -> LibC.files().statx(AT_FDCWD, cPath, Flags.AT_SYMLINK_NOFOLLOW,
                Flags.STATX_BASIC_STATS, st));
        return decode(st);
    }

    private static Stat decode(ByteBuffer st) {
        return new Stat(st.getShort(28) & 0xffff, st.getInt(20), st.getInt(24), st.getInt(16), st.getLong(40),
                st.getLong(32), makedev(st.getInt(136), st.getInt(140)),
                st.getLong(112), st.getInt(120), st.getLong(96), st.getInt(104));
    }

    /** The target of the symlink this handle is (its exact bytes); EINVAL when it is not a symlink. */
    public byte[] readLink() throws NativeException {
        ByteBuffer buf = LINK.get();
        buf.clear();
        int n = retry("readlinkat", path, () -> LibC.files().readlinkat(fd(), EMPTY, buf, buf.capacity()));
        if (n >= buf.capacity()) {
            throw NativeException.of("readlinkat", display(path), Errno.ENAMETOOLONG.number());
        }
        byte[] out = new byte[n];
        buf.get(out);
        return out;
    }

    static final byte[] CAPABILITY = "security.capability\0".getBytes(StandardCharsets.US_ASCII);
    private static final ThreadLocal<ByteBuffer> XATTR = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(256));

    /**
     * The inode's {@code security.capability} attribute (its exact bytes), an empty array when it has none, or null
     * when it cannot be read here (no /proc, a refusal). Read through {@code /proc/self/fd}: the held inode's.
     */
    public byte[] capability() {
        byte[] self = ("/proc/self/fd/" + fd() + "\0").getBytes(StandardCharsets.US_ASCII);
        return readCapability(buf -> LibC.files().getxattr(self, CAPABILITY, buf, buf.capacity()));
    }

    /**
     * {@code security.capability} through {@code call} (a getxattr of some kind into the buffer given): its bytes,
     * an empty array for none, null when it cannot be read.
     */
    static byte[] readCapability(java.util.function.ToLongFunction<ByteBuffer> call) {
        ByteBuffer buf = XATTR.get();
        buf.clear();
        for (int tries = 1; ; tries++) {
            long n = call.applyAsLong(buf);
            if (n >= 0) {
                byte[] out = new byte[(int) n];
                buf.get(0, out);
                return out;
            }
            int errno = lastError();
            if (errno == ENODATA || errno == EOPNOTSUPP) {
                return NONE; // none, or a file system without extended attributes (so none either)
            }
            if (errno != Errno.EINTR.number() || tries >= MAX_RETRIES) {
                return null;
            }
        }
    }

    private static final byte[] NONE = new byte[0];
    private static final int ENODATA = 61;
    private static final int EOPNOTSUPP = 95;

    /** Opens the very inode this handle is for reading; a {@link RegularFile.NotRegularException} if it is not a regular file. */
    public RegularFile openRegular() throws IOException {
        Stat st = stat;
        return st == null ? RegularFile.reading(fd(), path)
                : RegularFile.reading(fd(), path, st.mode(), st.inode(), st.device(), st.size());
    }

    private int fd() {
        if (closed) {
            throw new IllegalStateException("path handle for " + display(path) + " is closed");
        }
        return fd;
    }

    @Override
    public void close() throws NativeException {
        if (!closed) {
            closed = true;
            Syscalls.close(fd, "O_PATH");
        }
    }

    static ByteBuffer statx(int fd, byte[] path) throws NativeException {
        ByteBuffer st = STATX.get();
        st.clear();
        retry("statx", path, () -> LibC.files().statx(fd, EMPTY, Flags.AT_EMPTY_PATH, Flags.STATX_BASIC_STATS, st));
        return st;
    }

    /** glibc's {@code makedev}: the {@code st_dev} that {@code stat} (and the JDK's "unix:dev") reports. */
    static long makedev(int major, int minor) {
        long ma = major & 0xffffffffL;
        long mi = minor & 0xffffffffL;
        return ((ma & 0x00000fffL) << 8) | ((ma & 0xfffff000L) << 32) | (mi & 0x000000ffL) | ((mi & 0xffffff00L) << 12);
    }

    interface Call {
        long call();
    }

    static int retry(String call, byte[] path, Call c) throws NativeException {
        for (int tries = 1; ; tries++) {
            long r = c.call();
            if (r >= 0) {
                return (int) r;
            }
            if (lastError() != Errno.EINTR.number() || tries >= MAX_RETRIES) {
                throw NativeException.of(call, display(path), lastError());
            }
        }
    }

    static int lastError() {
        return LibC.RUNTIME.getLastError();
    }

    static String display(byte[] path) {
        return Syscalls.display(path);
    }
}
