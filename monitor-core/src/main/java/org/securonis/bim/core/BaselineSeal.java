package org.securonis.bim.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The baseline's seal: HMAC-SHA256 over the baseline file's content, keyed by a root-only key file
 * ({@code key_path}, 32 random bytes as hex, created by {@code init}). It makes an edit of the baseline evident to
 * whoever holds the key; it does not stop a root attacker who also reads the key or replaces the monitor.
 */
public final class BaselineSeal {

    static final String PREFIX = "hmac-sha256:";
    private final Path keyFile;
    private final byte[] key;

    private BaselineSeal(Path keyFile, byte[] key) {
        this.keyFile = keyFile;
        this.key = key;
    }

    public Path keyFile() {
        return keyFile;
    }

    /** Loads the key, refusing a key file that others could read or (as root) that root does not own. */
    public static BaselineSeal load(Path keyFile) throws IOException {
        if (Files.isSymbolicLink(keyFile)) {
            throw new IOException("key_path " + keyFile + " is a symlink: refused");
        }
        if (keyFile.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(keyFile, LinkOption.NOFOLLOW_LINKS);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)
                    || perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new IOException("key_path " + keyFile + " is readable or writable by group or others ("
                        + PosixFilePermissions.toString(perms) + "): refused; chmod 600 it (and consider the key "
                        + "compromised: re-baseline with a new one)");
            }
        }
        if (keyFile.getFileSystem() == FileSystems.getDefault() && SecureDirs.isRoot()) {
            int uid = ((Number) Files.getAttribute(keyFile, "unix:uid", LinkOption.NOFOLLOW_LINKS)).intValue();
            if (uid != 0) {
                throw new IOException("key_path " + keyFile + " is owned by uid " + uid + ", not root: refused");
            }
        }
        String text = Files.readString(keyFile, StandardCharsets.US_ASCII).strip();
        if (!text.matches("[0-9a-f]{64}")) {
            throw new IOException("key_path " + keyFile + " does not hold a key (expected 64 hex digits)");
        }
        return new BaselineSeal(keyFile, HexFormat.of().parseHex(text));
    }

    /** The key at {@code keyFile}, created (0600, 32 random bytes) when there is none yet. */
    public static BaselineSeal loadOrCreate(Path keyFile) throws IOException {
        try {
            return load(keyFile);
        } catch (NoSuchFileException e) {
            byte[] k = new byte[32];
            new SecureRandom().nextBytes(k);
            if (keyFile.getParent() != null) {
                Files.createDirectories(keyFile.getParent());
            }
            boolean posix = keyFile.getFileSystem().supportedFileAttributeViews().contains("posix");
            // Written whole to a temporary file (0600 from its creation), then linked into place: a crash leaves no
            // key or the whole key, never a partial one, and an existing key is never replaced.
            Path tmp = keyFile.resolveSibling("." + keyFile.getFileName() + ".tmp-" + Long.toHexString(System.nanoTime()));
            try {
                try (var ch = java.nio.channels.FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE), posix ? new java.nio.file.attribute.FileAttribute<?>[] {
                                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                                : new java.nio.file.attribute.FileAttribute<?>[0])) {
                    ch.write(java.nio.ByteBuffer.wrap((HexFormat.of().formatHex(k) + "\n")
                            .getBytes(StandardCharsets.US_ASCII)));
                    ch.force(true);
                }
                if (posix) {
                    // The umask may have taken bits from 0600: set exactly.
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                }
                try {
                    Files.createLink(keyFile, tmp);
                } catch (FileAlreadyExistsException race) {
                    return load(keyFile);
                } catch (UnsupportedOperationException noLinks) {
                    Files.move(tmp, keyFile);
                }
                AtomicFiles.syncDirectory(keyFile.toAbsolutePath().getParent());
            } finally {
                Files.deleteIfExists(tmp);
            }
            return load(keyFile);
        }
    }

    /** A fresh MAC keyed for sealing, to be fed as the content streams by. */
    Mac mac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
    }

    /** Whether a finished MAC equals {@code seal} (compared in constant time). */
    static boolean equal(byte[] mac, String seal) {
        return MessageDigest.isEqual((PREFIX + HexFormat.of().formatHex(mac)).getBytes(StandardCharsets.US_ASCII),
                seal.getBytes(StandardCharsets.US_ASCII));
    }
}
