package org.securonis.bim.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Puts known content at a path the safe way: a temporary file beside the target (same file system, so the rename
 * is atomic), owner then mode (chown clears set-id bits) then times, fsync, rename over the target, fsync of the
 * directory. A running program that has the old file open keeps its old inode; new executions get the new file.
 */
final class Restorer {

    /** The identity of the file that was put in place. */
    record Placed(Path path, long inode, long device) {
    }

    private Restorer() {
    }

    /** Copies {@code from} to {@code target} with the given mode, owner (-1 keeps ours) and mtime (null: now). */
    static Path place(Path from, Path target, int mode, int uid, int gid, Instant mtime) throws IOException {
        placeAndStat(from, target, mode, uid, gid, mtime);
        return target;
    }

    static Placed placeAndStat(Path from, Path target, int mode, int uid, int gid, Instant mtime) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve(".bim-restore-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
        boolean done = false;
        RuntimeFacts.temporary(tmp);
        try {
            try (InputStream in = Files.newInputStream(from, LinkOption.NOFOLLOW_LINKS);
                    FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                OutputStream out = Channels.newOutputStream(ch);
                in.transferTo(out);
                out.flush();
                ch.force(true);
            }
            boolean unix = tmp.getFileSystem().supportedFileAttributeViews().contains("unix");
            if (unix && uid >= 0) {
                Files.setAttribute(tmp, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            }
            if (unix && gid >= 0) {
                Files.setAttribute(tmp, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            }
            if (unix) {
                Files.setAttribute(tmp, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
            } else {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(rwx(mode)));
            }
            if (mtime != null) {
                Files.setLastModifiedTime(tmp, FileTime.from(mtime));
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
            AtomicFiles.syncDirectory(dir);
            Object ino = unix ? Files.getAttribute(target, "unix:ino", LinkOption.NOFOLLOW_LINKS) : 0L;
            Object dev = unix ? Files.getAttribute(target, "unix:dev", LinkOption.NOFOLLOW_LINKS) : 0L;
            return new Placed(target, ((Number) ino).longValue(), ((Number) dev).longValue());
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
            RuntimeFacts.doneWith(tmp);
        }
    }

    private static String rwx(int mode) {
        String bits = "rwxrwxrwx";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            sb.append((mode & (0400 >> i)) != 0 ? bits.charAt(i) : '-');
        }
        return sb.toString();
    }
}
