package org.securonis.bim.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Lists a directory by its exact path bytes with {@code getdents64}: each entry's name and whether it is a directory
 * come from the directory's own records ({@code d_type}), so a listing costs one call per few hundred entries
 * instead of one {@code lstat} an entry. Where a file system leaves the type unknown, that entry alone is
 * {@code statx}'ed relative to the open directory. The directory itself is opened with {@code O_NOFOLLOW}: a
 * symlink put in its place is refused (ENOTDIR or ELOOP), not followed. Safe on any thread (a buffer per thread).
 */
public final class DirectoryReader {

    /** Receives the entries of one directory, "." and ".." left out. */
    public interface Sink {
        /** {@code name}: the entry's bytes, the sink's to keep. */
        void entry(byte[] name, boolean directory);
    }

    private static final int DT_UNKNOWN = 0;
    private static final int DT_DIR = 4;
    private static final int S_IFDIR = 0040000;
    private static final int STATX_TYPE = 0x1;
    private static final ThreadLocal<ByteBuffer> RECORDS = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(64 << 10).order(ByteOrder.nativeOrder()));
    private static final ThreadLocal<byte[]> COPY = ThreadLocal.withInitial(() -> new byte[64 << 10]);
    private static final ThreadLocal<ByteBuffer> STAT = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(256).order(ByteOrder.nativeOrder()));

    private DirectoryReader() {
    }

    /**
     * Lists {@code dir} into {@code sink}.
     *
     * @throws NativeException ENOENT when it is gone, ENOTDIR (or ELOOP) when it is no directory or a symlink, and
     *                         the errno of any other failure
     */
    public static void list(byte[] dir, Sink sink) throws NativeException {
        ByteBuffer buf = RECORDS.get();
        try (NativeFd fd = Syscalls.openDirectory(dir)) {
            while (true) {
                buf.clear();
                int n = Syscalls.getdents(fd, buf, dir);
                if (n == 0) {
                    return;
                }
                buf.limit(n);
                DirentDecoder.scan(buf, COPY.get(), (name, type) ->
                        sink.entry(name, type == DT_UNKNOWN ? isDirectory(fd, name, dir) : type == DT_DIR));
            }
        }
    }

    // A file system without d_type: the entry's own type, relative to the open directory, not following it.
    private static boolean isDirectory(NativeFd dir, byte[] name, byte[] dirPath) throws NativeException {
        ByteBuffer st = STAT.get();
        byte[] cName = Syscalls.cString(name);
        while (true) {
            if (LibC.files().statx(dir.number(), cName, Flags.AT_SYMLINK_NOFOLLOW, STATX_TYPE, st) == 0) {
                return (st.getShort(28) & 0170000) == S_IFDIR;
            }
            int errno = LibC.RUNTIME.getLastError();
            if (errno == Errno.ENOENT.number()) {
                return false; // gone since the listing: the capture will say so
            }
            if (errno != Errno.EINTR.number()) {
                throw NativeException.of("statx", Syscalls.display(dirPath) + "/" + Syscalls.display(name), errno);
            }
        }
    }
}
