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
                decode(buf, n, fd, dir, sink);
            }
        }
    }

    // The records are copied out in one go and scanned as an array: byte by byte through the buffer costs a call
    // and a bounds check each, and a walk of /usr/lib reads a megabyte of names.
    private static void decode(ByteBuffer buf, int end, NativeFd fd, byte[] dir, Sink sink) throws NativeException {
        byte[] b = COPY.get();
        buf.get(0, b, 0, end);
        int at = 0;
        while (at < end) {
            if (end - at < DirentDecoder.OFFSET_NAME) {
                throw NativeException.failure("getdents64", "truncated record at offset " + at);
            }
            int reclen = Short.toUnsignedInt(buf.getShort(at + DirentDecoder.OFFSET_RECLEN));
            if (reclen <= DirentDecoder.OFFSET_NAME || reclen > end - at) {
                throw NativeException.failure("getdents64", "bad d_reclen " + reclen + " at offset " + at);
            }
            int type = b[at + DirentDecoder.OFFSET_TYPE] & 0xff;
            int from = at + DirentDecoder.OFFSET_NAME;
            int limit = at + reclen;
            int stop = from;
            while (stop < limit && b[stop] != 0) {
                stop++;
            }
            at = limit;
            int n = stop - from;
            if (n == 0 || (n == 1 && b[from] == '.') || (n == 2 && b[from] == '.' && b[from + 1] == '.')) {
                continue;
            }
            byte[] name = java.util.Arrays.copyOfRange(b, from, stop);
            boolean directory = type == DT_UNKNOWN ? isDirectory(fd, name, dir) : type == DT_DIR;
            sink.entry(name, directory);
        }
    }

    // A file system without d_type: the entry's own type, relative to the open directory, not following it.
    private static boolean isDirectory(NativeFd dir, byte[] name, byte[] dirPath) throws NativeException {
        ByteBuffer st = STAT.get();
        byte[] cName = java.util.Arrays.copyOf(name, name.length + 1);
        while (true) {
            if (LibC.FUNCTIONS.statx(dir.number(), cName, Flags.AT_SYMLINK_NOFOLLOW, STATX_TYPE, st) == 0) {
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
