package org.securonis.bim.core;

import java.time.Instant;

/**
 * What {@code lstat} says about a path, as the {@link Inspector} records and compares it.
 *
 * @param mode the permission bits and setuid/setgid/sticky ({@code & 07777}); the type is {@code type}
 */
public record FileStat(FileType type, int mode, int uid, int gid, int nlink, long size, long inode, long device,
        long mtimeSeconds, int mtimeNanos, long ctimeSeconds, int ctimeNanos) {

    /** From a raw {@code st_mode} (type and permission bits), as the kernel gives it. */
    public static FileStat ofRawMode(int rawMode, int uid, int gid, int nlink, long size, long inode, long device,
            long mtimeSeconds, int mtimeNanos, long ctimeSeconds, int ctimeNanos) {
        return new FileStat(FileType.ofMode(rawMode), rawMode & 07777, uid, gid, nlink, size, inode, device,
                mtimeSeconds, mtimeNanos, ctimeSeconds, ctimeNanos);
    }

    /** The modification time. */
    public Instant mtime() {
        return Instant.ofEpochSecond(mtimeSeconds, mtimeNanos);
    }

    /** The status-change time (any chmod, chown, link or write moves it). */
    public Instant ctime() {
        return Instant.ofEpochSecond(ctimeSeconds, ctimeNanos);
    }

    /** Whether {@code other} is the same file with the same content as far as a stat can tell. */
    boolean sameAs(FileStat other) {
        return size == other.size && inode == other.inode && device == other.device
                && mtimeSeconds == other.mtimeSeconds && mtimeNanos == other.mtimeNanos
                && ctimeSeconds == other.ctimeSeconds && ctimeNanos == other.ctimeNanos;
    }
}
