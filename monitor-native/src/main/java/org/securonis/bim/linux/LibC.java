package org.securonis.bim.linux;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.Pinned;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.socklen_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.u_int32_t;

/**
 * The C library functions this module calls, with their exact C types, bound once through
 * jnr-ffi (on first use, from any thread) with errno saved per thread after every call.
 *
 * <p>jnr-ffi implements {@link Files} and {@link Events} in classes of its own class loader, which
 * the JVM lets do so only for public interfaces; nesting them in this package-private class keeps
 * them out of the module's API all the same.
 *
 * <p>Paths are passed as NUL-terminated {@code byte[]} so that names which are not valid UTF-8
 * reach the kernel unchanged; jnr's String conversion would re-encode them.
 */
final class LibC {
    /**
     * The runtime whose per-thread saved errno the wrappers read: jnr's one native runtime, which every library
     * bound here shares.
     */
    static final Runtime RUNTIME = Runtime.getSystemRuntime();

    private LibC() {
    }

    /** The file calls, bound on first use. */
    static Files files() {
        return BoundFiles.FUNCTIONS;
    }

    /** The calls of event sources and notifications, bound on first use. */
    static Events events() {
        return BoundEvents.FUNCTIONS;
    }

    // Each set is bound by its own holder class: jnr-ffi generates a class and a native stub for every function of
    // an interface when it binds it, about a tenth of a one-shot command's start; a check makes file calls only.
    private static final class BoundFiles {
        static final Files FUNCTIONS = bind(Files.class);
    }

    private static final class BoundEvents {
        static final Events FUNCTIONS = bind(Events.class);
    }

    private static <T> T bind(Class<T> functions) {
        // jnr-ffi's machine-code stubs (jnr.x86asm) save nothing measurable on calls that are system calls (a statx
        // costs the same 1.0-1.1 us either way), but loading and running their generator costs each command 25 ms
        // and 0.05 CPU-seconds at start: its classes are Java 5's, which the class-data archive cannot hold.
        if (System.getProperty(X86_STUBS) == null) {
            System.setProperty(X86_STUBS, "false");
        }
        return LibraryLoader.create(functions).load(Platform.getNativePlatform().getStandardCLibraryName());
    }

    private static final String X86_STUBS = "jnr.ffi.x86asm.enabled";

    /** The file calls: all that a check, an init or the walk of the monitored set makes; each is one C call. */
    public interface Files {
        /** {@code int open(const char *pathname, int flags)}; never called with O_CREAT, so no mode. */
        @SaveError
        int open(@In byte[] pathname, int flags);

        /** {@code int openat(int dirfd, const char *pathname, int flags)}; never with O_CREAT. */
        @SaveError
        int openat(int dirfd, @In byte[] pathname, int flags);

        /**
         * {@code long syscall(long number, ...)} for openat2(dirfd, pathname, how, size), which glibc does not wrap
         * (the arguments are integers and pointers, passed in registers alike for a variadic call).
         */
        @SaveError
        @ssize_t long syscall(@ssize_t long number, int dirfd, @In byte[] pathname, @In byte[] how, @size_t long size);

        /** {@code ssize_t readlinkat(int dirfd, const char *pathname, char *buf, size_t bufsiz)}. */
        @SaveError
        @ssize_t long readlinkat(int dirfd, @In byte[] pathname, @Out ByteBuffer buf, @size_t long bufsiz);

        /** {@code int statx(int dirfd, const char *pathname, int flags, unsigned mask, struct statx *buf)} (glibc 2.28+). */
        @SaveError
        int statx(int dirfd, @In byte[] pathname, int flags, @u_int32_t int mask, @Out ByteBuffer statxbuf);

        /** {@code ssize_t getdents64(int fd, void *dirp, size_t count)} (glibc 2.30+). */
        @SaveError
        @ssize_t long getdents64(int fd, @Out ByteBuffer dirp, @size_t long count);

        /** {@code ssize_t read(int fd, void *buf, size_t count)}. */
        @SaveError
        @ssize_t long read(int fd, @Out ByteBuffer buf, @size_t long count);

        /**
         * {@code read} into a Java array, pinned for the call: the kernel writes the array itself, where an unpinned
         * one costs a copy of the whole array back after every call.
         */
        @SaveError
        @ssize_t long read(int fd, @Pinned @Out byte[] buf, @size_t long count);

        /** {@code ssize_t getxattr(const char *path, const char *name, void *value, size_t size)}. */
        @SaveError
        @ssize_t long getxattr(@In byte[] path, @In byte[] name, @Out ByteBuffer value, @size_t long size);

        /** {@code ssize_t fgetxattr(int fd, const char *name, void *value, size_t size)}. */
        @SaveError
        @ssize_t long fgetxattr(int fd, @In byte[] name, @Out ByteBuffer value, @size_t long size);

        /** {@code int fchmod(int fd, mode_t mode)}. */
        @SaveError
        int fchmod(int fd, int mode);

        /** {@code int close(int fd)}. */
        @SaveError
        int close(int fd);

    }

    /** The calls of the daemon's event sources (inotify, fanotify, eventfd, poll) and of its notifications. */
    public interface Events {
        /** {@code int inotify_init1(int flags)}. */
        @SaveError
        int inotify_init1(int flags);

        /** {@code int inotify_add_watch(int fd, const char *pathname, uint32_t mask)}. */
        @SaveError
        int inotify_add_watch(int fd, @In byte[] pathname, @u_int32_t int mask);

        /** {@code int inotify_rm_watch(int fd, int wd)}. */
        @SaveError
        int inotify_rm_watch(int fd, int wd);

        /** {@code int eventfd(unsigned int initval, int flags)}. */
        @SaveError
        int eventfd(@u_int32_t int initval, int flags);

        /** {@code ssize_t write(int fd, const void *buf, size_t count)}. */
        @SaveError
        @ssize_t long write(int fd, @In byte[] buf, @size_t long count);

        /**
         * {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)}; nfds_t is unsigned long,
         * which has size_t's width on every Linux ABI.
         */
        @SaveError
        int poll(@In @Out ByteBuffer fds, @size_t long nfds, int timeout);

        /** {@code int socket(int domain, int type, int protocol)}. */
        @SaveError
        int socket(int domain, int type, int protocol);

        /**
         * {@code ssize_t sendto(int sockfd, const void *buf, size_t len, int flags,
         * const struct sockaddr *dest_addr, socklen_t addrlen)}; dest_addr is a {@link UnixAddress}'s bytes.
         */
        @SaveError
        @ssize_t long sendto(int sockfd, @In byte[] buf, @size_t long len, int flags, @In byte[] destAddr,
                @socklen_t int addrlen);

        /** {@code int fanotify_init(unsigned int flags, unsigned int event_f_flags)}. */
        @SaveError
        int fanotify_init(@u_int32_t int flags, @u_int32_t int eventFileFlags);

        /** {@code int fanotify_mark(int fd, unsigned int flags, uint64_t mask, int dirfd, const char *pathname)}. */
        @SaveError
        int fanotify_mark(int fd, @u_int32_t int flags, long mask, int dirfd, @In byte[] pathname);

        /**
         * {@code int name_to_handle_at(int dirfd, const char *pathname, struct file_handle *handle, int *mount_id,
         * int flags)}; the handle's first field (handle_bytes) says its room on the way in, its size on the way out.
         */
        @SaveError
        int name_to_handle_at(int dirfd, @In byte[] pathname, @In @Out ByteBuffer handle, @Out int[] mountId,
                int flags);

        /** {@code int statfs(const char *path, struct statfs *buf)}. */
        @SaveError
        int statfs(@In byte[] path, @Out ByteBuffer buf);
    }
}
