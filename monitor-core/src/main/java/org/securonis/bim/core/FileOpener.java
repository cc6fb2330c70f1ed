package org.securonis.bim.core;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
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

    /**
     * A path looked up once, never following a symlink in its last component: its stat, and its link target or its
     * bytes. The native opener holds the inode itself, so all three concern the same file; the JDK's looks the path
     * up again for each.
     */
    interface Entry extends java.io.Closeable {
        /** What {@code lstat} said at the lookup. */
        FileStat stat();

        /** The target of the symlink this entry is, exactly. */
        String readLink() throws IOException;

        /** Opens the regular file this entry is for reading ({@link ChangedException} if it is not one). */
        Opened open() throws IOException;

        /**
         * The file's {@code security.capability} attribute as lower-case hex, "" when it has none, or null when
         * this opener cannot read it (the JDK cannot).
         */
        default String capability() {
            return null;
        }
    }

    /** Opens {@code source} for reading without following a symlink in its last component. */
    Opened open(Path source) throws IOException;

    /**
     * Looks {@code source} up. With {@code noLinks}, no directory on the way to it may be a symlink: a file reached
     * only through one is reported absent ({@link NoSuchFileException}), never read through it.
     */
    default Entry lookup(Path source, boolean noLinks) throws IOException {
        return jdkLookup(this, source, noLinks);
    }

    /** Looks {@code file} up as {@link #lookup(Path, boolean)} does its source, as resolved as it is. */
    default Entry lookup(MonitoredFile file) throws IOException {
        return lookup(file.source(), file.resolved());
    }

    /** {@link #restat(Path)} of {@code file}'s source. */
    default FileStat restat(MonitoredFile file) throws IOException {
        return restat(file.source());
    }

    /**
     * The stat of {@code source} now, to compare with an {@link Entry}'s: a changed inode or time means it changed.
     * This may follow a symlink above the file (what it finds then is another inode, so a change all the same);
     * {@link NoSuchFileException} when it is gone.
     */
    default FileStat restat(Path source) throws IOException {
        try (Entry e = lookup(source, false)) {
            return e.stat();
        }
    }

    /** The stat fields read through the JDK ("unix:*" would also resolve owner and group names: five times slower). */
    String JDK_ATTRIBUTES =
            "unix:size,lastModifiedTime,ctime,ino,dev,mode,uid,gid,nlink,isSymbolicLink,isDirectory,isRegularFile";

    /** The JDK's lookup: every directory above {@code source} is checked not to be a symlink, then its lstat. */
    static Entry jdkLookup(FileOpener opener, Path source, boolean noLinks) throws IOException {
        if (noLinks) {
            Path dir = source.getRoot();
            Path parent = source.getParent();
            for (int i = 0; parent != null && i < parent.getNameCount(); i++) {
                dir = dir == null ? parent.getName(i) : dir.resolve(parent.getName(i));
                BasicFileAttributes a = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isSymbolicLink()) {
                    throw new NoSuchFileException(Names.of(source), null, "reached through a symlink at " + Names.of(dir));
                }
                if (!a.isDirectory()) {
                    throw new java.nio.file.NotDirectoryException(Names.of(dir));
                }
            }
        }
        Map<String, Object> a = Files.readAttributes(source, JDK_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        int rawMode = ((Number) a.get("mode")).intValue();
        FileType type = FileType.ofMode(rawMode);
        if (type == FileType.UNKNOWN) {
            // File systems that fill st_mode's permission bits only (some in-memory ones) still say the type.
            type = Boolean.TRUE.equals(a.get("isSymbolicLink")) ? FileType.SYMLINK
                    : Boolean.TRUE.equals(a.get("isDirectory")) ? FileType.DIR
                    : Boolean.TRUE.equals(a.get("isRegularFile")) ? FileType.FILE : FileType.UNKNOWN;
        }
        Instant m = ((FileTime) a.get("lastModifiedTime")).toInstant();
        Instant c = ((FileTime) a.get("ctime")).toInstant();
        FileStat stat = new FileStat(type, rawMode & 07777, ((Number) a.get("uid")).intValue(),
                ((Number) a.get("gid")).intValue(), ((Number) a.get("nlink")).intValue(),
                ((Number) a.get("size")).longValue(), ((Number) a.get("ino")).longValue(),
                ((Number) a.get("dev")).longValue(), m.getEpochSecond(), m.getNano(), c.getEpochSecond(), c.getNano());
        return new Entry() {
            @Override
            public FileStat stat() {
                return stat;
            }

            @Override
            public String readLink() throws IOException {
                return Names.of(Files.readSymbolicLink(source));
            }

            @Override
            public Opened open() throws IOException {
                return opener.open(source);
            }

            @Override
            public void close() {
            }
        };
    }

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
