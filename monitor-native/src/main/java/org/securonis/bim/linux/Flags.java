package org.securonis.bim.linux;

/**
 * Constants from linux/inotify.h, fcntl.h, sys/eventfd.h, sys/stat.h and poll.h: the asm-generic values (x86,
 * x86_64, riscv), except where ARM's own fcntl.h differs (O_DIRECTORY, O_NOFOLLOW).
 */
final class Flags {
    static final int IN_ACCESS = 0x00000001;
    static final int IN_MODIFY = 0x00000002;
    static final int IN_ATTRIB = 0x00000004;
    static final int IN_CLOSE_WRITE = 0x00000008;
    static final int IN_MOVED_FROM = 0x00000040;
    static final int IN_MOVED_TO = 0x00000080;
    static final int IN_CREATE = 0x00000100;
    static final int IN_DELETE = 0x00000200;
    static final int IN_DELETE_SELF = 0x00000400;
    static final int IN_MOVE_SELF = 0x00000800;
    static final int IN_UNMOUNT = 0x00002000;
    static final int IN_Q_OVERFLOW = 0x00004000;
    static final int IN_IGNORED = 0x00008000;
    static final int IN_ONLYDIR = 0x01000000;
    static final int IN_DONT_FOLLOW = 0x02000000;
    static final int IN_EXCL_UNLINK = 0x04000000;
    static final int IN_ISDIR = 0x40000000;

    /** What every directory watch asks for: content, metadata and namespace changes, never reads. */
    static final int WATCH_MASK = IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_CREATE | IN_DELETE
            | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF
            // ONLYDIR makes "is it a directory?" and "watch it" one race-free call; DONT_FOLLOW keeps a
            // recursive watch from escaping through a symlink (roots are resolved before they get here);
            // EXCL_UNLINK silences files already unlinked but still held open, which no longer have a path.
            | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK;

    static final int O_RDONLY = 0;
    static final int O_NONBLOCK = 0x800;
    private static final boolean ARM = switch (jnr.ffi.Platform.getNativePlatform().getCPU()) {
        case ARM, AARCH64 -> true;
        default -> false;
    };
    static final int O_NOCTTY = 0x100;
    static final int O_DIRECTORY = ARM ? 0x4000 : 0x10000;
    static final int O_NOFOLLOW = ARM ? 0x8000 : 0x20000;
    static final int O_NOATIME = 0x40000;
    static final int O_CLOEXEC = 0x80000;
    static final int O_PATH = 0x200000;

    static final int AT_EMPTY_PATH = 0x1000;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int STATX_BASIC_STATS = 0x7ff;
    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;

    static final int IN_NONBLOCK = O_NONBLOCK;
    static final int IN_CLOEXEC = O_CLOEXEC;
    static final int EFD_NONBLOCK = O_NONBLOCK;
    static final int EFD_CLOEXEC = O_CLOEXEC;

    static final short POLLIN = 0x001;
    static final short POLLPRI = 0x002;
    static final short POLLERR = 0x008;
    static final short POLLHUP = 0x010;
    static final short POLLNVAL = 0x020;

    /** d_type values from dirent.h. */
    static final int DT_UNKNOWN = 0;
    static final int DT_DIR = 4;

    private Flags() {
    }
}
