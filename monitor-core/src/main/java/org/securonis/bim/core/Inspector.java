package org.securonis.bim.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
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
    private static final HexFormat HEX = HexFormat.of();

    private final Clock clock;
    private final LongAdder bytesHashed = new LongAdder();
    private final ThreadLocal<MessageDigest> digests = ThreadLocal.withInitial(Inspector::sha256);
    // On the heap: the digest takes an array whole (a direct buffer it copies 4 KB at a time into one of its own),
    // and the native opener reads into the array itself.
    private final ThreadLocal<ByteBuffer> buffers = ThreadLocal.withInitial(() -> ByteBuffer.allocate(BUFFER_BYTES));

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
        try {
            FileStat latest = null;
            for (int attempt = 1; ; attempt++) {
                try (FileOpener.Entry entry = opener.lookup(file)) {
                    FileStat before = entry.stat();
                    latest = before;
                    switch (before.type()) {
                        case SYMLINK: {
                            String target = entry.readLink();
                            FileStat after = restat(file);
                            if (after == null) {
                                return Observation.missing(path, file.tier());
                            }
                            if (before.sameAs(after) || attempt == ATTEMPTS) {
                                // The held link's own stat: the one its target was read from.
                                return Observation.present(record(path, file.tier(), before, null, target));
                            }
                            continue;
                        }
                        case FILE:
                            break;
                        default:
                            return Observation.present(record(path, file.tier(), before, null, null));
                    }
                    String sha;
                    try {
                        sha = hash(entry, before);
                    } catch (AccessDeniedException e) {
                        return Observation.failed(path, file.tier(), record(path, file.tier(), before, null, null),
                                "cannot read: permission denied");
                    } catch (FileOpener.ChangedException e) {
                        sha = null;
                        FileStat now = restat(file);
                        if (now == null) {
                            return Observation.missing(path, file.tier());
                        }
                        latest = now;
                    }
                    if (sha != null) {
                        FileStat after = restat(file);
                        if (after == null) {
                            return Observation.missing(path, file.tier());
                        }
                        if (before.sameAs(after)) {
                            // Of the inode hashed; a setcap moves ctime, so a change after this is seen next time.
                            return Observation.present(record(path, file.tier(), before, sha, null,
                                    entry.capability()));
                        }
                        latest = after;
                    }
                }
                if (attempt == ATTEMPTS) {
                    return Observation.failed(path, file.tier(), record(path, file.tier(), latest, null, null),
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

    /** The path's lstat now, to see that it still names what was captured; null when it is gone. */
    private FileStat restat(MonitoredFile file) throws IOException {
        try {
            return opener.restat(file);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return null;
        }
    }

    /** The digest of the file's bytes, or null when what was opened is not the file {@code before} describes. */
    private String hash(FileOpener.Entry entry, FileStat before) throws IOException {
        MessageDigest md = digests.get();
        md.reset();
        ByteBuffer buf = buffers.get();
        // Never follows a symlink swapped in after the lstat; the native opener reads the very inode it looked up.
        try (FileOpener.Opened ch = entry.open()) {
            if (ch.inode() >= 0 && (ch.inode() != before.inode() || ch.device() != before.device())) {
                return null;
            }
            // Read up to the size seen, and no further call for the end: a file that grew since is told by the
            // stat after the hash (its size and mtime), which then hashes it again. A size of 0 proves nothing (a
            // pseudo-file's), so such a file is read to its end.
            long expected = before.size();
            long total = 0;
            while (expected <= 0 || total < expected) {
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    break;
                }
                md.update(buf.array(), 0, buf.position());
                total += n;
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

    private FileRecord record(String path, Tier tier, FileStat a, String sha, String target) {
        return record(path, tier, a, sha, target, null);
    }

    private FileRecord record(String path, Tier tier, FileStat a, String sha, String target, String capability) {
        FileType type = a.type();
        return new FileRecord(path, type, sha,
                type == FileType.FILE || type == FileType.SYMLINK ? a.size() : 0L,
                a.mode(), a.uid(), a.gid(), a.inode(), a.device(), a.nlink(), a.mtime(), a.ctime(),
                type == FileType.SYMLINK ? (target == null ? "" : target) : null,
                tier,
                Instant.now(clock), capability);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
