package org.securonis.bim.core;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * How the {@link Inspector} opens a regular file to hash it, after an {@code lstat} said it is one. The daemon
 * supplies one that opens race-free through the kernel (monitor-native); {@link #JDK} is the portable fallback.
 */
public interface FileOpener {

    /** An open regular file: its bytes and, where the opener can tell, the identity of what it opened. */
    interface Opened extends ReadableByteChannel {
        /** The inode of what was opened, or -1 when this opener cannot tell. */
        long inode();

        /** The device of what was opened (as {@code st_dev}), or -1 when this opener cannot tell. */
        long device();

        /** Sets the permission bits of the file opened (not of whatever the path names now). */
        void setMode(int mode) throws IOException;
    }

    /** How an {@link Opened} sets its file's mode. */
    interface ModeSetter {
        void setMode(int mode) throws IOException;
    }

    /** What was found at the path is not a regular file any more: it changed after the {@code lstat}. */
    final class ChangedException extends IOException {
        private static final long serialVersionUID = 1L;

        public ChangedException(String message) {
            super(message);
        }
    }

    /** Opens {@code source} for reading without following a symlink in its last component. */
    Opened open(Path source) throws IOException;

    /**
     * The JDK's open, with {@code O_NOFOLLOW}. It cannot say what it opened, and a FIFO swapped in between the
     * {@code lstat} and the open would block it until a writer comes: the native opener has neither limit.
     */
    FileOpener JDK = source -> of(
            Files.newByteChannel(source, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)), -1, -1,
            mode -> Files.setAttribute(source, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS));

    /** An {@link Opened} reading from {@code ch}, which it closes; {@code inode} and {@code device} as known. */
    static Opened of(ReadableByteChannel ch, long inode, long device, ModeSetter modes) {
        return new Opened() {
            @Override
            public long inode() {
                return inode;
            }

            @Override
            public long device() {
                return device;
            }

            @Override
            public void setMode(int mode) throws IOException {
                modes.setMode(mode);
            }

            @Override
            public int read(java.nio.ByteBuffer dst) throws IOException {
                return ch.read(dst);
            }

            @Override
            public boolean isOpen() {
                return ch.isOpen();
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }
}
