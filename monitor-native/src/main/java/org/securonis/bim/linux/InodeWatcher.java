package org.securonis.bim.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Changes to inodes anywhere on a file system, whatever name they are reached by: fanotify with a file system
 * mark and file-handle reporting ({@code FAN_REPORT_FID}, Linux 5.1). inotify sees only what is done through the
 * watched directories; a write through a hard link made elsewhere, or a chmod through it, reaches the inode without
 * passing them. Each event names its inode by {@link FileId} (file system id and file handle), nothing is opened,
 * and the caller keeps the ids it cares about. Needs CAP_SYS_ADMIN; a reader thread owns the fanotify descriptor.
 */
public final class InodeWatcher implements AutoCloseable {

    private static final int FAN_CLOEXEC = 0x1;
    private static final int FAN_NONBLOCK = 0x2;
    private static final int FAN_REPORT_FID = 0x200;
    private static final int FAN_REPORT_DFID_NAME = 0x400 | 0x800; // FAN_REPORT_DIR_FID | FAN_REPORT_NAME, Linux 5.9
    private static final int FAN_MARK_ADD = 0x1;
    private static final int FAN_MARK_FILESYSTEM = 0x100;
    static final long FAN_MODIFY = 0x2;
    static final long FAN_ATTRIB = 0x4;
    static final long FAN_CLOSE_WRITE = 0x8;
    static final long FAN_Q_OVERFLOW = 0x4000;
    private static final int FANOTIFY_METADATA_VERSION = 3;
    private static final int FAN_EVENT_INFO_TYPE_FID = 1;
    private static final int FAN_EVENT_INFO_TYPE_DFID_NAME = 2;
    private static final int MAX_HANDLE_SZ = 128;
    private static final int AT_FDCWD = -100;
    private static final int READ_BUFFER = 64 * 1024;
    private static final ThreadLocal<ByteBuffer> HANDLE = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(8 + MAX_HANDLE_SZ).order(ByteOrder.nativeOrder()));
    private static final ThreadLocal<ByteBuffer> STATFS = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(256).order(ByteOrder.nativeOrder()));

    /** What the reader thread reports. Called on that thread: return quickly. */
    public interface Listener {
        /**
         * The inode {@code id} changed: written and closed, written ({@code modifying}: more may follow), or its
         * attributes (mode, owner, link count, times) changed; {@code dir} and {@code name} say through which name
         * (the directory's id and the entry's bytes), or are null on a kernel that does not report it (before 5.9).
         */
        void onChange(FileId id, FileId dir, byte[] name, boolean modifying);

        /** The kernel's queue overflowed: changes were lost. */
        void onOverflow();

        /** The reader stopped for good. */
        void onFailure(String message);
    }

    /** An inode's identity as fanotify reports it: the file system's id and the file handle. Immutable. */
    public static final class FileId {
        private final byte[] key;
        private final int hash;

        FileId(byte[] key) {
            this.key = key;
            this.hash = Arrays.hashCode(key);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FileId f && f.hash == hash && Arrays.equals(f.key, key);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return java.util.HexFormat.of().formatHex(key);
        }
    }

    private final NativeFd fanotify;
    private final AtomicLong events = new AtomicLong();
    private PollingReader reader;

    private InodeWatcher(NativeFd fanotify) {
        this.fanotify = fanotify;
    }

    /** A watcher with no marks yet; EPERM without CAP_SYS_ADMIN, EINVAL or ENOSYS on a kernel without FID reports. */
    public static InodeWatcher start(Listener listener) throws NativeException {
        int base = FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_FID;
        int eventFlags = Flags.O_RDONLY | Flags.O_CLOEXEC;
        int fd;
        try {
            fd = PathHandle.retry("fanotify_init", new byte[0],
                    () -> LibC.events().fanotify_init(base | FAN_REPORT_DFID_NAME, eventFlags));
        } catch (NativeException e) {
            if (e.errno() != Errno.EINVAL.number()) {
                throw e;
            }
            // Before Linux 5.9: the inode alone, not the name it was changed through.
            fd = PathHandle.retry("fanotify_init", new byte[0], () -> LibC.events().fanotify_init(base, eventFlags));
        }
        InodeWatcher w = new InodeWatcher(new NativeFd("fanotify", fd));
        ByteBuffer buf = ByteBuffer.allocateDirect(READ_BUFFER).order(ByteOrder.nativeOrder());
        w.reader = PollingReader.start(w.fanotify, Flags.POLLIN, () -> {
            int n;
            while ((n = Syscalls.read(w.fanotify, buf)) > 0) {
                decode(buf, n, listener, w.events);
            }
        }, listener::onFailure, "bim-fanotify");
        return w;
    }

    /**
     * Watches every inode of the file system that holds {@code path} (marking one twice is harmless). ENODEV or
     * EXDEV: the file system has no id or cannot report handles (before Linux 6.7, tmpfs).
     */
    public void mark(byte[] path) throws NativeException {
        byte[] cPath = Arrays.copyOf(path, path.length + 1);
        PathHandle.retry("fanotify_mark", path, () -> LibC.events().fanotify_mark(fanotify.number(),
                FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_MODIFY | FAN_ATTRIB | FAN_CLOSE_WRITE, AT_FDCWD, cPath));
    }

    /** The id events will carry for the inode at {@code path} now (a symlink's own, not its target's). */
    public static FileId idOf(byte[] path) throws NativeException {
        return idOf(path, null);
    }

    /**
     * As {@link #idOf(byte[])}, with the file system ids already found kept in {@code fsids} by mount id: one
     * statfs per mount instead of one per file, for a pass over many files (keep the map no longer than the pass:
     * a mount id can be reused after an unmount).
     */
    public static FileId idOf(byte[] path, java.util.Map<Integer, byte[]> fsids) throws NativeException {
        byte[] cPath = Arrays.copyOf(path, path.length + 1);
        ByteBuffer h = HANDLE.get();
        h.clear();
        h.putInt(0, MAX_HANDLE_SZ);
        int[] mountId = new int[1];
        PathHandle.retry("name_to_handle_at", path,
                () -> LibC.events().name_to_handle_at(AT_FDCWD, cPath, h, mountId, 0));
        byte[] fsid = fsids == null ? null : fsids.get(mountId[0]);
        if (fsid == null) {
            ByteBuffer fs = STATFS.get();
            fs.clear();
            PathHandle.retry("statfs", path, () -> LibC.events().statfs(cPath, fs));
            fsid = new byte[8];
            // f_fsid: two ints at offset 56 of struct statfs on every 64-bit Linux ABI.
            for (int i = 0; i < 8; i++) {
                fsid[i] = fs.get(56 + i);
            }
            if (fsids != null) {
                fsids.put(mountId[0], fsid);
            }
        }
        int bytes = h.getInt(0);
        byte[] key = new byte[12 + bytes];
        System.arraycopy(fsid, 0, key, 0, 8);
        ByteBuffer.wrap(key, 8, 4).order(ByteOrder.nativeOrder()).putInt(h.getInt(4));
        for (int i = 0; i < bytes; i++) {
            key[12 + i] = h.get(8 + i);
        }
        return new FileId(key);
    }

    /** Events read from the kernel so far. */
    public long events() {
        return events.get();
    }

    /** Decodes {@code n} bytes of events at the buffer's start; package-private for tests on hand-built buffers. */
    static void decode(ByteBuffer buf, int n, Listener listener, AtomicLong count) throws NativeException {
        int off = 0;
        while (off + 24 <= n) {
            int len = buf.getInt(off);
            int version = buf.get(off + 4) & 0xff;
            int metaLen = buf.getShort(off + 6) & 0xffff;
            long mask = buf.getLong(off + 8);
            int fd = buf.getInt(off + 16);
            if (version != FANOTIFY_METADATA_VERSION || len < metaLen || metaLen < 24 || off + len > n) {
                throw NativeException.failure("read", "fanotify event of version " + version + ", length " + len
                        + " (this build reads version " + FANOTIFY_METADATA_VERSION + ")");
            }
            if (fd >= 0) {
                Syscalls.close(fd, "fanotify event"); // not asked for with FID reports; never kept
            }
            count.incrementAndGet();
            if ((mask & FAN_Q_OVERFLOW) != 0) {
                listener.onOverflow();
            } else {
                FileId object = null;
                FileId dir = null;
                byte[] name = null;
                int info = off + metaLen;
                while (info + 4 <= off + len) {
                    int type = buf.get(info) & 0xff;
                    int infoLen = buf.getShort(info + 2) & 0xffff;
                    if (infoLen < 4 || info + infoLen > off + len) {
                        break;
                    }
                    if ((type == FAN_EVENT_INFO_TYPE_FID || type == FAN_EVENT_INFO_TYPE_DFID_NAME) && infoLen >= 20) {
                        // fsid (8 bytes), then struct file_handle: handle_bytes, handle_type, f_handle[]; a
                        // DFID_NAME record has the entry's NUL-terminated name after the handle.
                        int bytes = buf.getInt(info + 12);
                        if (bytes >= 0 && 20 + bytes <= infoLen) {
                            byte[] key = new byte[12 + bytes];
                            for (int i = 0; i < 8; i++) {
                                key[i] = buf.get(info + 4 + i);
                            }
                            for (int i = 0; i < 4 + bytes; i++) {
                                key[8 + i] = buf.get(info + 16 + i);
                            }
                            if (type == FAN_EVENT_INFO_TYPE_FID) {
                                object = new FileId(key);
                            } else {
                                dir = new FileId(key);
                                int start = info + 20 + bytes;
                                int end = start;
                                while (end < info + infoLen && buf.get(end) != 0) {
                                    end++;
                                }
                                name = new byte[end - start];
                                for (int i = 0; i < name.length; i++) {
                                    name[i] = buf.get(start + i);
                                }
                            }
                        }
                    }
                    info += infoLen;
                }
                if (object != null) {
                    listener.onChange(object, dir, name, (mask & (FAN_CLOSE_WRITE | FAN_ATTRIB)) == 0);
                }
            }
            off += len;
        }
    }

    /** Stops the reader and closes the descriptors; safe to call more than once. */
    @Override
    public void close() {
        reader.close();
    }
}
