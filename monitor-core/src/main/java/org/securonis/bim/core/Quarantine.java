package org.securonis.bim.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Evidence of tampered content in {@code quarantine_dir}: one file per capture, named by time and SHA-256, mode
 * 0400, never overwritten, with a JSON sidecar (original path, stat, baseline record, source, incident).
 *
 * <p>Every write is {@code O_CREAT|O_EXCL|O_NOFOLLOW} into a directory that was checked (not a symlink, not
 * group- or world-writable, root's): a symlink planted in the quarantine cannot redirect it. Thread-safe.
 */
public final class Quarantine {

    /**
     * One capture.
     *
     * @param id      the capture's name (also the key for {@code bim quarantine release})
     * @param content the captured bytes, or null for a symlink, a deleted file or one that could not be read
     */
    public record Capture(String id, String path, Path content, Path sidecar, String sha256, long size,
            String incidentId, Instant time) {
    }

    private static final DateTimeFormatter NAME_TIME =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = Json.MAPPER;

    private final Path dir;
    private final Clock clock;
    private final FileOpener opener;

    public Quarantine(Path dir, Clock clock) {
        this(dir, clock, FileOpener.JDK);
    }

    /** A quarantine that reads the files it captures with {@code opener}. */
    public Quarantine(Path dir, Clock clock, FileOpener opener) {
        this.dir = dir;
        this.clock = clock;
        this.opener = opener;
    }

    /** The directory. */
    public Path dir() {
        return dir;
    }

    /** Creates or checks the directory; a refusal names the problem. */
    public void prepare() throws IOException {
        SecureDirs.prepare(dir, "quarantine_dir");
    }

    /**
     * Copies the content at {@code source} (opened without following symlinks) into the quarantine, hashing
     * what was actually copied, and writes the sidecar; for a symlink or a missing file only the sidecar.
     */
    public Capture capture(Finding finding, Path source, String incidentId) throws IOException {
        SecureDirs.check(dir, "quarantine_dir");
        Instant now = Instant.now(clock);
        FileRecord state = finding.current();
        String sha = null;
        long size = 0;
        Path content = null;
        String stem;
        if (state != null && state.type() == FileType.FILE) {
            Path tmp = dir.resolve(".capture-" + Long.toHexString(System.nanoTime()) + ".tmp");
            MessageDigest md = sha256();
            try {
                try (InputStream in = Channels.newInputStream(opener.open(source));
                        FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW,
                                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r--------")));
                        OutputStream out = new DigestOutputStream(Channels.newOutputStream(ch), md)) {
                    size = in.transferTo(out);
                    out.flush();
                    ch.force(true);
                }
                sha = HexFormat.of().formatHex(md.digest());
                stem = NAME_TIME.format(now) + "-" + sha;
                content = dir.resolve(stem);
                // A capture with the same time and digest already there is the same evidence: keep the first.
                if (Files.exists(content, LinkOption.NOFOLLOW_LINKS)) {
                    stem = stem + "-" + Long.toHexString(System.nanoTime());
                    content = dir.resolve(stem);
                }
                Files.move(tmp, content, StandardCopyOption.ATOMIC_MOVE);
                tmp = null;
            } finally {
                if (tmp != null) {
                    Files.deleteIfExists(tmp);
                }
            }
        } else {
            stem = NAME_TIME.format(now) + "-" + (state == null ? "deleted" : state.type().label()) + "-"
                    + Long.toHexString(System.nanoTime());
        }
        Path sidecar = dir.resolve(stem + ".json");
        ObjectNode n = JSON.createObjectNode();
        n.put("id", stem);
        n.put("path", finding.path());
        n.put("time", AlertFormat.time(now));
        n.put("action", finding.action().label());
        n.put("tier", finding.tier().label());
        n.put("source", finding.source().label());
        n.put("incident_id", incidentId);
        n.put("sha256", sha);
        n.put("size", size);
        n.put("content", content == null ? null : content.getFileName().toString());
        n.set("stat", RecordJson.of(state));
        n.set("baseline", RecordJson.of(finding.previous()));
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
        if (Files.exists(sidecar, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("quarantine sidecar " + sidecar + " already exists: refusing to overwrite evidence");
        }
        AtomicFiles.write(sidecar, out -> out.write(bytes));
        setReadOnly(sidecar);
        return new Capture(stem, finding.path(), content, sidecar, sha, size, incidentId, now);
    }

    private static void setReadOnly(Path p) throws IOException {
        if (p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r--------"));
        }
    }

    /** Every capture, oldest first, read from the sidecars. */
    public List<ObjectNode> list() throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        List<Path> sidecars = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.json")) {
            s.forEach(sidecars::add);
        }
        sidecars.sort(null);
        for (Path p : sidecars) {
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    out.add((ObjectNode) JSON.readTree(p.toFile()));
                } catch (IOException | ClassCastException e) {
                    ObjectNode bad = JSON.createObjectNode();
                    bad.put("id", p.getFileName().toString().replaceFirst("\\.json$", ""));
                    bad.put("error", "unreadable sidecar: " + e.getMessage());
                    out.add(bad);
                }
            }
        }
        return out;
    }

    /** The sidecar of capture {@code id}, or throws NoSuchFileException. */
    public ObjectNode get(String id) throws IOException {
        if (!id.matches("[0-9A-Za-z.:_-]{1,200}")) {
            throw new NoSuchFileException(id, null, "not a capture id");
        }
        Path sidecar = dir.resolve(id + ".json");
        if (!Files.isRegularFile(sidecar, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(sidecar.toString(), null, "no such capture");
        }
        return (ObjectNode) JSON.readTree(sidecar.toFile());
    }

    /**
     * Puts capture {@code id} back at its original path (a false positive): verifies the captured bytes against
     * their recorded SHA-256, writes a temporary file beside the target and renames it into place with the
     * captured mode and owner. The capture itself stays as evidence. Returns the path written.
     */
    public Path release(String id, Path target) throws IOException {
        ObjectNode n = get(id);
        String name = n.path("content").asText(null);
        String sha = n.path("sha256").asText(null);
        if (name == null || sha == null) {
            throw new IOException("capture " + id + " holds no content (it was a " + n.path("stat").path("type").asText("deleted file")
                    + "); nothing to put back");
        }
        Path content = dir.resolve(name);
        if (!sha.equals(sha256Of(content))) {
            throw new IOException("capture " + id + " does not match its recorded SHA-256: refusing to release it");
        }
        ObjectNode stat = (ObjectNode) n.path("stat");
        int mode = Integer.parseInt(stat.path("mode").asText("0644"), 8);
        return Restorer.place(content, target, mode, stat.path("uid").asInt(-1), stat.path("gid").asInt(-1), null);
    }

    static String sha256Of(Path p) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) {
                md.update(buf, 0, r);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
