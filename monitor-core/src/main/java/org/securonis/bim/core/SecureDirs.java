package org.securonis.bim.core;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * Evidence directories (quarantine, backup): created 0700 when missing, and refused when they are a symlink, not a
 * directory, group- or world-writable, or (when we run as root) not owned by root.
 */
final class SecureDirs {

    private SecureDirs() {
    }

    /** Creates {@code dir} (0700) if missing and checks it; {@code role} names the key in messages. */
    static void prepare(Path dir, String role) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Path parent = dir.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // Lost a race with another creator: the checks below decide whether it is acceptable.
            }
        }
        check(dir, role);
    }

    /** Refuses a directory an attacker could have planted or could write into. */
    static void check(Path dir, String role) throws IOException {
        if (Files.isSymbolicLink(dir)) {
            throw new IOException(role + " " + dir + " is a symlink: refused (it could redirect evidence elsewhere)");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(role + " " + dir + " is not a directory");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException(role + " " + dir + " is group- or world-writable ("
                    + PosixFilePermissions.toString(perms) + "): refused; chmod 0700 it");
        }
        if (dir.getFileSystem() == FileSystems.getDefault() && isRoot()) {
            Map<String, Object> a = Files.readAttributes(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int uid = ((Number) a.get("uid")).intValue();
            if (uid != 0) {
                throw new IOException(role + " " + dir + " is owned by uid " + uid + ", not root: refused");
            }
        }
    }

    /** Whether this process runs as root (the euid of /proc/self). */
    static boolean isRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
