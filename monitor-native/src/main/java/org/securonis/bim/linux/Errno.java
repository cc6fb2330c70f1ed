package org.securonis.bim.linux;

/**
 * The Linux errno values this module can meet, by name; numbers are the asm-generic ones
 * shared by x86, x86_64, arm64 and riscv (not MIPS, Alpha or SPARC).
 */
enum Errno {
    EPERM(1, "operation not permitted"),
    ENOENT(2, "no such file or directory"),
    EINTR(4, "interrupted system call"),
    EIO(5, "input/output error"),
    EBADF(9, "bad file descriptor"),
    EAGAIN(11, "resource temporarily unavailable"),
    ENOMEM(12, "cannot allocate memory"),
    EACCES(13, "permission denied"),
    EFAULT(14, "bad address"),
    ENOTDIR(20, "not a directory"),
    EINVAL(22, "invalid argument"),
    ENFILE(23, "too many open files in system"),
    EMFILE(24, "too many open files"),
    ENOSPC(28, "no space left on device"),
    ENAMETOOLONG(36, "file name too long"),
    ENOSYS(38, "function not implemented"),
    ELOOP(40, "too many levels of symbolic links"),
    EMSGSIZE(90, "message too long"),
    EPROTOTYPE(91, "protocol wrong type for socket"),
    ENOBUFS(105, "no buffer space available"),
    ECONNREFUSED(111, "connection refused"),
    ESTALE(116, "stale file handle");

    private static final Errno[] BY_NUMBER = new Errno[128];

    static {
        for (Errno e : values()) {
            BY_NUMBER[e.number] = e;
        }
    }

    private final int number;
    private final String description;

    Errno(int number, String description) {
        this.number = number;
        this.description = description;
    }

    /** The errno for a number, or null when it is not one we name. */
    static Errno of(int number) {
        return number > 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }

    /** The symbolic name of an errno number ("ENOSPC"), or "errno 123" for one we do not name. */
    static String nameOf(int number) {
        Errno e = of(number);
        return e == null ? "errno " + number : e.name();
    }

    /** The kernel's number for this errno. */
    int number() {
        return number;
    }

    /** The strerror-like text for this errno. */
    String description() {
        return description;
    }
}
