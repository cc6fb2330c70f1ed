package org.securonis.bim.core;

import java.time.Instant;
import java.util.Objects;

/**
 * The recorded state of one monitored path: what {@code lstat} said and, for a regular file, the SHA-256
 * of its bytes; for a symlink, its target. One baseline entry, and also the shape of a fresh capture.
 *
 * @param path    the path as configured (through a symlinked root, the configured name)
 * @param sha256  lower-case hex digest of the content; null for non-regular files, or when unreadable
 * @param mode    permission bits including setuid, setgid and sticky ({@code st_mode & 07777})
 * @param target  the link target of a symlink, else null
 * @param checked when this state was captured
 * @param capability a regular file's {@code security.capability} attribute as lower-case hex, "" when it has
 *                none, null when it was not read (a baseline recorded before capabilities were, or a capture
 *                through the JDK): null is compared with nothing
 */
public record FileRecord(
        String path,
        FileType type,
        String sha256,
        long size,
        int mode,
        int uid,
        int gid,
        long inode,
        long device,
        int nlink,
        Instant mtime,
        Instant ctime,
        String target,
        Tier tier,
        Instant checked,
        String capability) {

    /** A state whose capability was not read. */
    public FileRecord(String path, FileType type, String sha256, long size, int mode, int uid, int gid, long inode,
            long device, int nlink, Instant mtime, Instant ctime, String target, Tier tier, Instant checked) {
        this(path, type, sha256, size, mode, uid, gid, inode, device, nlink, mtime, ctime, target, tier, checked,
                null);
    }

    // By hand: a regular expression per record is a tenth of a baseline's load time in a cold JVM.
    private static boolean isHex64(String s) {
        return s.length() == 64 && isLowerHex(s);
    }

    /** Whether every character is a lower-case hex digit (no regular expression: this runs for every record). */
    private static boolean isLowerHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    public FileRecord {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mtime, "mtime");
        Objects.requireNonNull(ctime, "ctime");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(checked, "checked");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path (" + path + ") must be absolute");
        }
        if (sha256 != null && !isHex64(sha256)) {
            throw new IllegalArgumentException("sha256 (" + sha256 + ") of " + path + " must be 64 lower-case hex digits");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size (" + size + ") of " + path + " must not be negative");
        }
        if (mode < 0 || mode > 07777) {
            throw new IllegalArgumentException("mode (" + Integer.toOctalString(mode) + ") of " + path
                    + " must be permission bits between 0 and 07777");
        }
        if ((type == FileType.SYMLINK) != (target != null)) {
            throw new IllegalArgumentException("target of " + path + " must be given exactly for a symlink");
        }
        if (capability != null && (capability.length() > 2048 || capability.length() % 2 != 0
                || !isLowerHex(capability))) {
            throw new IllegalArgumentException("capability of " + path + " must be lower-case hex bytes");
        }
    }

    /** This state with the capability read from the file ("" for none). */
    public FileRecord withCapability(String hex) {
        return new FileRecord(path, type, sha256, size, mode, uid, gid, inode, device, nlink, mtime, ctime, target,
                tier, checked, hex);
    }

    /** The mode as the four-digit octal string used in JSON ("0755", "4755"). */
    public String modeString() {
        return String.format("%04o", mode);
    }

    /** This state with another tier, for a file that the configuration now places elsewhere. */
    public FileRecord withTier(Tier newTier) {
        return new FileRecord(path, type, sha256, size, mode, uid, gid, inode, device, nlink, mtime, ctime, target,
                newTier, checked, capability);
    }

    /** This state under another name (a capture taken through the real path, reported under the configured one). */
    public FileRecord withPath(String newPath) {
        return new FileRecord(newPath, type, sha256, size, mode, uid, gid, inode, device, nlink, mtime, ctime, target,
                tier, checked, capability);
    }
}
