package org.securonis.bim.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * Known-good copies in {@code backup_dir}, content-addressed ({@code ab/abcdef…}, one copy per content, 0400 in
 * 0700 directories), written at {@code init} and {@code update}; restore never uses a copy whose hash does not
 * match. Thread-safe: copies are written to a temporary name and renamed.
 */
public final class BackupStore {

    /** A restored file's new identity: a runtime fact, not a change. */
    public record Restored(String path, long inode, long device) {
    }

    private final Path dir;
    private final FileOpener opener;

    public BackupStore(Path dir) {
        this(dir, FileOpener.JDK);
    }

    /** A store that reads the files it keeps with {@code opener}. */
    public BackupStore(Path dir, FileOpener opener) {
        this.dir = dir;
        this.opener = opener;
    }

    public Path dir() {
        return dir;
    }

    /** Creates or checks the store's directory. */
    public void prepare() throws IOException {
        SecureDirs.prepare(dir, "backup_dir");
    }

    /** Where the copy of content {@code sha256} lives. */
    public Path pathOf(String sha256) {
        return dir.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    /** Whether a copy of {@code sha256} is kept (not whether it still matches). */
    public boolean has(String sha256) {
        return Files.isRegularFile(pathOf(sha256), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Keeps a copy of {@code source}, which must hash to {@code sha256} (the baseline's digest): a file that
     * changed since it was recorded is refused, so the store only ever holds accepted content.
     */
    public void store(Path source, String sha256) throws IOException {
        if (has(sha256)) {
            return;
        }
        Path sub = dir.resolve(sha256.substring(0, 2));
        SecureDirs.check(dir, "backup_dir");
        if (!Files.isDirectory(sub, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(sub, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                // Another writer made it first.
            }
        }
        SecureDirs.check(sub, "backup_dir");
        Path tmp = sub.resolve("." + sha256 + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        MessageDigest md = sha256();
        try {
            try (InputStream in = Channels.newInputStream(opener.open(source));
                    FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                            LinkOption.NOFOLLOW_LINKS),
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r--------")));
                    OutputStream out = new DigestOutputStream(Channels.newOutputStream(ch), md)) {
                in.transferTo(out);
                out.flush();
                ch.force(true);
            }
            String got = HexFormat.of().formatHex(md.digest());
            if (!got.equals(sha256)) {
                throw new IOException(source + " changed since it was recorded (sha256 " + got + ", baseline "
                        + sha256 + "): not kept as known-good");
            }
            Files.move(tmp, pathOf(sha256), StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            AtomicFiles.syncDirectory(sub);
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Puts the known-good content of {@code baseline} back at {@code target} with the baseline's mode, owner and
     * mtime; verifies the copy's hash first and refuses a copy that does not match.
     */
    public Restored restore(FileRecord baseline, Path target) throws IOException {
        if (baseline.type() != FileType.FILE || baseline.sha256() == null) {
            throw new IOException("no content to restore for " + baseline.path() + " (a " + baseline.type().label() + ")");
        }
        Path copy = pathOf(baseline.sha256());
        if (!has(baseline.sha256())) {
            throw new IOException("no known-good copy of " + baseline.path() + " (sha256 " + baseline.sha256()
                    + ") in " + dir);
        }
        String got = Quarantine.sha256Of(copy);
        if (!got.equals(baseline.sha256())) {
            throw new IOException("the known-good copy " + copy + " of " + baseline.path() + " does not match its "
                    + "hash (sha256 " + got + "): the backup store was tampered with; not restored");
        }
        Restorer.Placed placed = Restorer.placeAndStat(copy, target, baseline.mode(), baseline.uid(), baseline.gid(),
                baseline.mtime());
        return new Restored(baseline.path(), placed.inode(), placed.device());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
