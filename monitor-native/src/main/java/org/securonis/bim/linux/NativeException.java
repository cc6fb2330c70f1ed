package org.securonis.bim.linux;

import java.io.IOException;

/**
 * A failed Linux system call (or an impossible kernel answer), naming the call, the path,
 * the errno and, for limits, the setting to raise.
 */
public final class NativeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    private NativeException(String call, int errno, String message) {
        super(message);
        this.call = call;
        this.errno = errno;
    }

    /** A failure of {@code call} on {@code target} (a path, or null when the call has none) with {@code errno}. */
    static NativeException of(String call, String target, int errno) {
        String advice = advice(call, errno);
        String message = call + "(" + (target == null ? "" : target) + "): " + Errno.nameOf(errno) + ": " + advice;
        return new NativeException(call, errno, message);
    }

    /** A failure that is not an errno, such as a truncated inotify record; errno is 0. */
    static NativeException failure(String call, String what) {
        return new NativeException(call, 0, call + ": " + what);
    }

    /** The C function that failed, e.g. "inotify_add_watch". */
    public String call() {
        return call;
    }

    /** The errno the call returned, 0 when the failure was not an errno. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name ("ENOSPC"), or "" when the failure was not an errno. */
    public String errnoName() {
        return errno == 0 ? "" : Errno.nameOf(errno);
    }

    // Limits get the fix an administrator applies; everything else gets strerror's text.
    private static String advice(String call, int errno) {
        Errno e = Errno.of(errno);
        if (e == null) {
            return "unknown error";
        }
        switch (e) {
            case ENOSPC:
                return call.equals("inotify_add_watch")
                        ? "raise fs.inotify.max_user_watches (sysctl)"
                        : e.description();
            case EMFILE:
                return call.equals("inotify_init1")
                        ? "raise fs.inotify.max_user_instances (sysctl) or the open-file limit (LimitNOFILE)"
                        : "raise the open-file limit (ulimit -n / LimitNOFILE)";
            case ENFILE:
                return "the system file table is full: raise fs.file-max (sysctl)";
            case ENOMEM:
                return "kernel out of memory for " + call;
            default:
                return e.description();
        }
    }
}
