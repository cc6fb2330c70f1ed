package org.securonis.bim.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Captures the current state of a path: {@code lstat}, then for a regular file the SHA-256 of its bytes, then
 * {@code lstat} again; a file that changed while it was hashed is hashed again.
 *
 * <p>Thread-safe: each thread hashes with its own digest and one large reused buffer, so a sweep makes no
 * garbage per file. Symlinks are never followed, and FIFOs, sockets and devices are never opened.
 */
public final class Inspector {

    /** How often a file that keeps changing under the hash is tried before the capture is reported failed. */
    static final int ATTEMPTS = 3;
    private static final int BUFFER_BYTES = 1 << 20;
    /**
     * The stat fields used, by name: "unix:*" would also resolve the owner's and group's names, reading
     * /etc/passwd and /etc/group for every file (five times the cost of the stat itself).
     */
    private static final String ATTRS =
            "unix:size,lastModifiedTime,ctime,ino,dev,mode,uid,gid,nlink,isSymbolicLink,isDirectory,isRegularFile";
    /** After hashing only what {@link #same} compares is needed (a chmod or chown moves ctime). */
    private static final String IDENTITY = "unix:size,lastModifiedTime,ctime,ino,dev";
    private static final HexFormat HEX = HexFormat.of();

    private final Clock clock;
    private final LongAdder bytesHashed = new LongAdder();
    private final ThreadLocal<MessageDigest> digests = ThreadLocal.withInitial(Inspector::sha256);
    // Direct: the kernel reads straight into it, where a heap buffer costs the JDK one more copy per read.
    private final ThreadLocal<ByteBuffer> buffers = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BUFFER_BYTES));

    private final Throttle throttle;
    private final FileOpener opener;

    public Inspector(Clock clock) {
        this(clock, null, FileOpener.JDK);
    }

    /**
     * An inspector that opens files with {@code opener} and whose reads are paced by {@code throttle} (null: as
     * fast as the disk goes).
     */
    public Inspector(Clock clock, Throttle throttle, FileOpener opener) {
        this.clock = clock;
        this.throttle = throttle;
        this.opener = opener;
    }

    /** Total bytes hashed by this inspector so far, for progress and throughput figures. */
    public long bytesHashed() {
        return bytesHashed.sum();
    }

    /** Captures {@code file} now; never throws for a problem with the file itself. */
    public Observation capture(MonitoredFile file) {
        String path = file.path();
        Path source = file.source();
        try {
            Map<String, Object> before = Files.readAttributes(source, ATTRS, LinkOption.NOFOLLOW_LINKS);
            for (int attempt = 1; ; attempt++) {
                FileRecord stat = record(path, file.tier(), before, null, null);
                switch (stat.type()) {
                    case SYMLINK:
                        String target = Names.of(Files.readSymbolicLink(source));
                        Map<String, Object> after = Files.readAttributes(source, ATTRS, LinkOption.NOFOLLOW_LINKS);
                        if (same(before, after) || attempt == ATTEMPTS) {
                            return Observation.present(record(path, file.tier(), after, null, target));
                        }
                        before = after;
                        continue;
                    case FILE:
                        break;
                    default:
                        return Observation.present(stat);
                }
                String sha;
                try {
                    sha = hash(source, before);
                } catch (AccessDeniedException e) {
                    return Observation.failed(path, file.tier(), stat, "cannot read: permission denied");
                } catch (FileOpener.ChangedException e) {
                    sha = null;
                }
                if (sha != null) {
                    Map<String, Object> after;
                    try {
                        after = Files.readAttributes(source, IDENTITY, LinkOption.NOFOLLOW_LINKS);
                    } catch (NoSuchFileException e) {
                        return Observation.missing(path, file.tier());
                    }
                    if (same(before, after)) {
                        return Observation.present(record(path, file.tier(), before, sha, null));
                    }
                }
                before = Files.readAttributes(source, ATTRS, LinkOption.NOFOLLOW_LINKS);
                if (attempt == ATTEMPTS) {
                    return Observation.failed(path, file.tier(), record(path, file.tier(), before, null, null),
                            "kept changing while being hashed (" + ATTEMPTS + " attempts)");
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Observation.missing(path, file.tier());
        } catch (FileSystemException e) {
            String reason = e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
            if (reason.contains("Too many levels of symbolic links")) {
                // O_NOFOLLOW on a path that became a symlink after the lstat: it changed under us; report it
                // as unreadable this time, the next capture sees the link.
                reason = "replaced by a symlink while being read";
            }
            return Observation.failed(path, file.tier(), null, "cannot read: " + reason);
        } catch (IOException | RuntimeException e) {
            return Observation.failed(path, file.tier(), null, "cannot read: " + e);
        }
    }

    /** The digest of the file's bytes, or null when what was opened is not the file {@code before} describes. */
    private String hash(Path source, Map<String, Object> before) throws IOException {
        MessageDigest md = digests.get();
        md.reset();
        ByteBuffer buf = buffers.get();
        // Never follows a symlink swapped in after the lstat; the native opener also says what it opened.
        try (FileOpener.Opened ch = opener.open(source)) {
            if (ch.inode() >= 0 && (ch.inode() != ((Number) before.get("ino")).longValue()
                    || ch.device() != ((Number) before.get("dev")).longValue())) {
                return null;
            }
            while (true) {
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    break;
                }
                buf.flip();
                md.update(buf);
                bytesHashed.add(n);
                if (throttle != null) {
                    try {
                        throttle.acquire(n);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("sweep interrupted");
                    }
                }
            }
        }
        return HEX.formatHex(md.digest());
    }

    /** Compares the stat fields that any change of content or identity moves. */
    private static boolean same(Map<String, Object> a, Map<String, Object> b) {
        return a.get("size").equals(b.get("size"))
                && a.get("lastModifiedTime").equals(b.get("lastModifiedTime"))
                && a.get("ctime").equals(b.get("ctime"))
                && a.get("ino").equals(b.get("ino"))
                && a.get("dev").equals(b.get("dev"));
    }

    private FileRecord record(String path, Tier tier, Map<String, Object> a, String sha, String target) {
        int rawMode = ((Number) a.get("mode")).intValue();
        FileType type = FileType.ofMode(rawMode);
        if (type == FileType.UNKNOWN) {
            // File systems that fill st_mode's permission bits only (some in-memory ones) still say the type.
            type = Boolean.TRUE.equals(a.get("isSymbolicLink")) ? FileType.SYMLINK
                    : Boolean.TRUE.equals(a.get("isDirectory")) ? FileType.DIR
                    : Boolean.TRUE.equals(a.get("isRegularFile")) ? FileType.FILE : FileType.UNKNOWN;
        }
        return new FileRecord(path, type, sha,
                type == FileType.FILE || type == FileType.SYMLINK ? ((Number) a.get("size")).longValue() : 0L,
                rawMode & 07777,
                ((Number) a.get("uid")).intValue(),
                ((Number) a.get("gid")).intValue(),
                ((Number) a.get("ino")).longValue(),
                ((Number) a.get("dev")).longValue(),
                ((Number) a.get("nlink")).intValue(),
                ((FileTime) a.get("lastModifiedTime")).toInstant(),
                ((FileTime) a.get("ctime")).toInstant(),
                type == FileType.SYMLINK ? (target == null ? "" : target) : null,
                tier,
                Instant.now(clock));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
