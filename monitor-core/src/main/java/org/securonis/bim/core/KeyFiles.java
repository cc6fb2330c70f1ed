package org.securonis.bim.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Key files: created whole and never replaced, and refused when others could read a secret or write any key. */
final class KeyFiles {

    /** No key file of ours comes near this; a larger one is not a key. */
    static final int MAX_BYTES = 64 * 1024;

    private KeyFiles() {
    }

    /**
     * Creates {@code file} holding {@code content} with exactly {@code perms} ("rw-------"), or throws
     * {@link FileAlreadyExistsException} and leaves an existing one alone. Written whole to a temporary file (with
     * those permissions from its creation), then linked into place: a crash leaves no file or the whole file.
     */
    static void createWhole(Path file, byte[] content, String perms) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp-" + Long.toHexString(System.nanoTime()));
        try {
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------"))} : new FileAttribute<?>[0])) {
                ch.write(ByteBuffer.wrap(content));
                ch.force(true);
            }
            if (posix) {
                // Created 0600 whatever the umask; widened (a public key) only once the content is whole.
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(perms));
            }
            try {
                Files.createLink(file, tmp);
            } catch (UnsupportedOperationException noLinks) {
                if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    throw new FileAlreadyExistsException(file.toString());
                }
                Files.move(tmp, file);
            }
            AtomicFiles.syncDirectory(file.toAbsolutePath().getParent());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Refuses a key file that is a symlink, that group or others can write (or, for a {@code secret}, read), or
     * that (when we run as root) root does not own; {@code role} names it in messages ("key_path").
     */
    static void check(Path file, String role, boolean secret) throws IOException {
        if (Files.isSymbolicLink(file)) {
            throw new IOException(role + " " + file + " is a symlink: refused");
        }
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            boolean written = perms.contains(PosixFilePermission.GROUP_WRITE)
                    || perms.contains(PosixFilePermission.OTHERS_WRITE);
            boolean read = perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ);
            if (secret && (written || read)) {
                throw new IOException(role + " " + file + " is readable or writable by group or others ("
                        + PosixFilePermissions.toString(perms) + "): refused; chmod 600 it (and consider the key "
                        + "compromised: re-baseline with a new one)");
            }
            if (written) {
                throw new IOException(role + " " + file + " is writable by group or others ("
                        + PosixFilePermissions.toString(perms) + "): refused; chmod 644 it (and check that it is "
                        + "still your key)");
            }
        }
        if (file.getFileSystem() == FileSystems.getDefault() && SecureDirs.isRoot()) {
            int uid = ((Number) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)).intValue();
            if (uid != 0) {
                throw new IOException(role + " " + file + " is owned by uid " + uid + ", not root: refused");
            }
        }
    }

    /** The bytes of a key file, refusing one larger than {@value #MAX_BYTES} bytes. */
    static byte[] read(Path file, String role) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException(role + " " + file + " is larger than " + MAX_BYTES + " bytes: not a key");
        }
        return RegularFiles.readAllBytes(file);
    }
}
