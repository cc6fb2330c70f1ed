package org.securonis.bim.core;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Collects forensic evidence about tampered files: which processes use a file, and the
 * {@code forensics-<id>.tar.gz} archive of the files, the host's state and a SHA-256 manifest of its members.
 *
 * <p>Immutable and thread-safe; each call works on the caller's thread, bounded by the size budget and the time
 * limit given here. Collection problems are data (listed in the archive), never exceptions.
 */
public final class Forensics {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path procRoot;
    private final Path utmp;
    private final Clock clock;
    private final long maxArchiveBytes;
    private final Duration timeLimit;

    /** procRoot is "/proc" in production, a fake tree in unit tests; limits bound each archive. */
    public Forensics(Path procRoot, Clock clock, long maxArchiveBytes, Duration timeLimit) {
        this(procRoot, procRoot.getFileSystem().getPath("/var/run/utmp"), clock, maxArchiveBytes, timeLimit);
    }

    /** As above, with the utmp file that lists the logged-in users given explicitly. */
    public Forensics(Path procRoot, Path utmp, Clock clock, long maxArchiveBytes, Duration timeLimit) {
        this.procRoot = Objects.requireNonNull(procRoot, "procRoot");
        this.utmp = Objects.requireNonNull(utmp, "utmp");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeLimit = Objects.requireNonNull(timeLimit, "timeLimit");
        this.maxArchiveBytes = maxArchiveBytes;
        if (maxArchiveBytes < 1) {
            throw new IllegalArgumentException("maxArchiveBytes (" + maxArchiveBytes + ") must be at least 1");
        }
        if (timeLimit.isNegative() || timeLimit.isZero()) {
            throw new IllegalArgumentException("timeLimit (" + timeLimit + ") must be positive");
        }
    }

    /**
     * What an archive holds, and what could not be collected.
     *
     * @param archive the archive written
     * @param bytes   its size on disk (compressed)
     * @param members the full tar names of its members, in order, {@code MANIFEST.sha256} last
     * @param errors  every collection error, as listed in {@code errors.txt}
     * @param sha256  the SHA-256 of the archive file itself, for the incident report
     */
    public record ArchiveResult(Path archive, long bytes, List<String> members, List<String> errors,
                                String sha256) {

        public ArchiveResult {
            Objects.requireNonNull(archive, "archive");
            Objects.requireNonNull(sha256, "sha256");
            members = List.copyOf(members);
            errors = List.copyOf(errors);
        }
    }

    /**
     * Processes whose exe, memory maps or open fds refer to the file (matched by device+inode, falling back to
     * path); bounded in time (by the archive's time limit); never throws for an unreadable /proc entry (processes
     * vanish all the time). Pass -1 for device and inode when they are unknown: then only the path matches.
     */
    public List<ProcessInfo> processesUsing(Path file, long device, long inode) {
        ProcScanner scanner = new ProcScanner(procRoot, clock, clock.instant().plus(timeLimit));
        return List.copyOf(scanner.using(file, device, inode, new ArrayList<>()));
    }

    /**
     * Writes forensics-&lt;incidentId&gt;.tar.gz into dir atomically (temp + fsync + rename, never partial,
     * never overwrites an existing archive), returns what it holds and what could not be collected.
     *
     * @throws FileAlreadyExistsException when the archive exists already
     * @throws IOException                when the archive itself cannot be written (nothing is left behind)
     */
    public ArchiveResult writeArchive(Path dir, String incidentId, List<Evidence> files, Path baselineFile,
            List<Path> logFiles) throws IOException {
        Objects.requireNonNull(incidentId, "incidentId");
        if (!ID.matcher(incidentId).matches()) {
            throw new IllegalArgumentException("incidentId (" + Names.escape(incidentId)
                    + ") must be 1 to 128 of [A-Za-z0-9._-], starting with a letter or digit");
        }
        List<Evidence> evidence = List.copyOf(files);
        List<Path> logs = List.copyOf(logFiles);
        String root = "forensics-" + incidentId;
        Path target = dir.resolve(root + ".tar.gz");
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null, "a forensic archive is never overwritten");
        }
        Path tmp = dir.resolve("." + root + ".tar.gz.tmp-"
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
        List<String> errors = new ArrayList<>();
        boolean done = false;
        try {
            ForensicArchive archive;
            try (FileChannel ch = FileChannel.open(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), ownerOnly(dir))) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                archive = new ForensicArchive(out, root + "/", clock.instant(), maxArchiveBytes);
                try (archive) {
                    new ForensicCollector(procRoot, utmp, clock, timeLimit, archive, errors)
                            .collect(evidence, baselineFile, logs);
                    archive.finish(errors);
                }
                out.flush();
                ch.force(true);
            }
            publish(tmp, target);
            done = true;
            AtomicFiles.syncDirectory(dir);
            return new ArchiveResult(target, archive.compressedBytes(), archive.members(), errors,
                    archive.compressedSha256());
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Gives the finished temp file its name without ever replacing a file of that name. */
    private static void publish(Path tmp, Path target) throws IOException {
        try {
            // link(2) fails with EEXIST atomically, where rename(2) would silently replace a concurrent archive.
            Files.createLink(target, tmp);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
            // A file system without hard links (vfat): check and rename, not atomic against a racing writer.
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(target.toString(), null, "a forensic archive is never overwritten");
            }
            Files.move(tmp, target);
            return;
        }
        Files.delete(tmp);
    }

    private static FileAttribute<?>[] ownerOnly(Path dir) {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }
}
