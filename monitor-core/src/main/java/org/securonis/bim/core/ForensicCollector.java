package org.securonis.bim.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects one forensic archive's members, in an order chosen for evidence: the per-file records first, then
 * the host's volatile state (processes, sockets) before it changes, then static state, logs, and last the large
 * copies (captures, the baseline), which are the first to give way to the size budget.
 *
 * <p>Every collection failure becomes a line of {@code errors}; only a failure to write the archive itself is
 * thrown. One collector per archive, on the caller's thread.
 */
final class ForensicCollector {

    static final int LOG_LINES = 200;
    /** The window a log tail is read from: 200 lines of a sane log fit, a log of huge lines is cut. */
    static final int LOG_WINDOW = 1 << 20;
    /** Kernel tables larger than this are cut (a host with a million sockets still gets an archive). */
    static final int MAX_RAW = 8 << 20;
    private static final List<String> NET = List.of("tcp", "tcp6", "udp", "udp6", "unix");
    private static final HexFormat HEX = HexFormat.of();

    private final Path proc;
    private final Path utmp;
    private final Clock clock;
    private final Duration timeLimit;
    private final Instant deadline;
    private final ForensicArchive archive;
    private final List<String> errors;
    private boolean expired;

    ForensicCollector(Path proc, Path utmp, Clock clock, Duration timeLimit, ForensicArchive archive,
            List<String> errors) {
        this.proc = proc;
        this.utmp = utmp;
        this.clock = clock;
        this.timeLimit = timeLimit;
        this.deadline = clock.instant().plus(timeLimit);
        this.archive = archive;
        this.errors = errors;
    }

    /** Collects everything; throws only when the archive cannot be written. */
    void collect(List<Evidence> files, Path baselineFile, List<Path> logFiles) throws IOException {
        for (int n = 0; n < files.size(); n++) {
            Evidence ev = files.get(n);
            String dir = "files/" + n + "/";
            small(dir + "stat.json", ForensicJson.bytes(ev.current() != null ? ForensicJson.record(ev.current())
                    : ForensicJson.absent(ev.path(), "deleted: no current state")));
            small(dir + "baseline.json", ForensicJson.bytes(ev.baseline() != null
                    ? ForensicJson.record(ev.baseline())
                    : ForensicJson.absent(ev.path(), "created: not in the baseline")));
            small(dir + "processes.json", ForensicJson.bytes(ForensicJson.processes(ev.processes())));
        }
        system();
        logs(logFiles);
        for (int n = 0; n < files.size(); n++) {
            capture("files/" + n + "/", files.get(n));
        }
        baseline(baselineFile);
    }

    private void system() throws IOException {
        Map<String, byte[]> net = new LinkedHashMap<>();
        for (String table : NET) {
            byte[] raw = raw("net/" + table, proc.resolve("net").resolve(table));
            if (raw != null) {
                net.put(table, raw);
            }
        }
        ProcScanner.Snapshot snap = null;
        if (timeFor("processes.json")) {
            snap = new ProcScanner(proc, clock, deadline).snapshot(errors);
            small("processes.json", ForensicJson.bytes(ForensicJson.processList(snap.processes())));
        }
        Map<Long, List<Long>> owners = snap != null ? snap.socketOwners() : Map.of();
        if (snap == null) {
            errors.add("sockets.json: no owning pids, the process scan was left out");
        }
        List<ProcSocket> sockets = new ArrayList<>();
        for (Map.Entry<String, byte[]> t : net.entrySet()) {
            String text = ProcText.decode(t.getValue());
            sockets.addAll(t.getKey().equals("unix") ? ProcNet.parseUnix(text, owners, errors)
                    : ProcNet.parseInet(t.getKey(), text, ByteOrder.nativeOrder(), owners, errors));
        }
        small("sockets.json", ForensicJson.bytes(ForensicJson.sockets(sockets)));
        for (Map.Entry<String, byte[]> t : net.entrySet()) {
            small("net/" + t.getKey(), t.getValue());
        }
        byte[] modules = raw("modules.txt", proc.resolve("modules"));
        if (modules != null) {
            small("modules.txt", modules);
        }
        byte[] mounts = raw("mounts.txt", proc.resolve("self").resolve("mountinfo"));
        if (mounts != null) {
            small("mounts.txt", mounts);
        }
        if (timeFor("users.json")) {
            try {
                byte[] bytes = ProcText.read(utmp, ForensicUtmp.MAX_BYTES);
                small("users.json", ForensicJson.bytes(ForensicJson.users(ForensicUtmp.parse(bytes, errors))));
            } catch (IOException e) {
                errors.add("users.json: cannot read " + utmp + ": " + describe(e));
            }
        }
    }

    private void logs(List<Path> logFiles) throws IOException {
        Set<String> used = new HashSet<>();
        for (Path log : logFiles) {
            String base = safeName(log.getFileName() == null ? "log" : log.getFileName().toString());
            String name = "logs/" + base + ".tail";
            for (int i = 2; !used.add(name); i++) {
                name = "logs/" + base + "-" + i + ".tail";
            }
            if (!timeFor(name)) {
                continue;
            }
            try {
                small(name, tail(log, LOG_LINES, LOG_WINDOW));
            } catch (IOException e) {
                errors.add(name + ": cannot read " + log + ": " + describe(e));
            }
        }
    }

    private void capture(String dir, Evidence ev) throws IOException {
        Path capture = ev.capture();
        if (capture == null) {
            return;
        }
        String name = dir + "capture";
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(capture, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            errors.add(name + ": cannot read the capture " + capture + ": " + describe(e));
            reference(dir + "capture.ref", ev.path(), capture, ev.captureSha256(), -1, "capture unreadable");
            return;
        }
        if (!a.isRegularFile()) {
            errors.add(name + ": the capture " + capture + " is not a regular file; referenced only");
            reference(dir + "capture.ref", ev.path(), capture, ev.captureSha256(), -1, "not a regular file");
            return;
        }
        String reason = null;
        if (!timeFor(name)) {
            reason = "time limit reached";
        } else if (!archive.fits(name, a.size())) {
            reason = leftOut(name, a.size());
        }
        if (reason != null) {
            String sha = ev.captureSha256() != null ? ev.captureSha256() : hash(name, capture);
            reference(dir + "capture.ref", ev.path(), capture, sha, a.size(), reason);
            return;
        }
        SeekableByteChannel ch;
        try {
            // NOFOLLOW_LINKS: a symlink swapped in for the capture after the lstat is refused, not followed.
            ch = Files.newByteChannel(capture, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            errors.add(name + ": cannot open the capture " + capture + ": " + describe(e));
            reference(dir + "capture.ref", ev.path(), capture, ev.captureSha256(), a.size(), "capture unreadable");
            return;
        }
        try (ch) {
            ForensicArchive.Copied c = archive.addFile(name, ch, a.size());
            if (c.readError() != null || c.copied() < a.size()) {
                errors.add(name + ": read " + c.copied() + " of " + a.size() + " bytes of " + capture
                        + (c.readError() != null ? " (" + describe(c.readError()) + ")" : " (it shrank)")
                        + "; the rest of the member is zeros");
            } else if (ev.captureSha256() != null && !ev.captureSha256().equals(c.sha256())) {
                errors.add(name + ": sha256 " + c.sha256() + " of the copy differs from the quarantine's "
                        + ev.captureSha256() + " (the capture changed since it was taken)");
            }
        }
    }

    private void baseline(Path baselineFile) throws IOException {
        if (baselineFile == null) {
            errors.add("baseline.json: no baseline file was given");
            return;
        }
        String name = "baseline.json";
        long size;
        try {
            BasicFileAttributes a = Files.readAttributes(baselineFile, BasicFileAttributes.class);
            size = a.size();
        } catch (IOException e) {
            errors.add(name + ": cannot read " + baselineFile + ": " + describe(e));
            return;
        }
        String reason = null;
        if (!timeFor(name)) {
            reason = "time limit reached";
        } else if (!archive.fits(name, size)) {
            reason = leftOut(name, size);
        }
        if (reason != null) {
            reference("baseline.json.ref", null, baselineFile, hash(name, baselineFile), size, reason);
            return;
        }
        SeekableByteChannel ch;
        try {
            // Followed if a symlink: the database path may legitimately be one, unlike a capture.
            ch = Files.newByteChannel(baselineFile, Set.of(StandardOpenOption.READ));
        } catch (IOException e) {
            errors.add(name + ": cannot open " + baselineFile + ": " + describe(e));
            return;
        }
        try (ch) {
            ForensicArchive.Copied c = archive.addFile(name, ch, size);
            if (c.readError() != null || c.copied() < size) {
                errors.add(name + ": read " + c.copied() + " of " + size + " bytes of " + baselineFile
                        + " (it changed while copied); the rest of the member is zeros");
            }
        }
    }

    /** A small JSON standing for a file left out: where it is and its SHA-256, so it can still be verified. */
    private void reference(String name, String path, Path file, String sha256, long size, String reason)
            throws IOException {
        ObjectNode o = ForensicJson.object();
        if (path != null) {
            o.put("path", path);
        }
        o.put("file", file.toString());
        o.put("sha256", sha256);
        if (size >= 0) {
            o.put("size", size);
        }
        o.put("reason", reason);
        // References are always written: they are tiny, and without them the evidence would be lost from view.
        archive.add(name, ForensicJson.bytes(o));
    }

    private String leftOut(String name, long size) {
        String reason = size + " bytes exceed the remaining size budget ("
                + Math.max(0, archive.budget() - archive.written()) + " of " + archive.budget() + " bytes)";
        errors.add(name + ": left out, " + reason + "; referenced by sha256 instead");
        return reason;
    }

    /** The SHA-256 of a file left out of the archive, or null when time runs out or it cannot be read. */
    private String hash(String name, Path file) {
        MessageDigest md = ForensicArchive.sha256();
        try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.READ))) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            while (ch.read(buf.clear()) >= 0) {
                md.update(buf.array(), 0, buf.position());
                if (expired()) {
                    errors.add(name + ": time limit reached while hashing " + file + "; referenced without sha256");
                    return null;
                }
            }
            return HEX.formatHex(md.digest());
        } catch (IOException e) {
            errors.add(name + ": cannot hash " + file + ": " + describe(e));
            return null;
        }
    }

    /** Adds a member built in memory if time and budget allow, else says in errors what was left out. */
    private void small(String name, byte[] content) throws IOException {
        if (!timeFor(name)) {
            return;
        }
        if (!archive.fits(name, content.length)) {
            errors.add(name + ": left out, " + content.length + " bytes exceed the remaining size budget ("
                    + Math.max(0, archive.budget() - archive.written()) + " of " + archive.budget() + " bytes)");
            return;
        }
        archive.add(name, content);
    }

    /** Up to {@link #MAX_RAW} bytes of a kernel file, or null (with an error) when it cannot be read. */
    private byte[] raw(String member, Path file) {
        if (!timeFor(member)) {
            return null;
        }
        try {
            byte[] b = ProcText.read(file, MAX_RAW);
            if (b.length == MAX_RAW) {
                errors.add(member + ": " + file + " cut at " + MAX_RAW + " bytes");
            }
            return b;
        } catch (IOException e) {
            errors.add(member + ": cannot read " + file + ": " + describe(e));
            return null;
        }
    }

    /** False, with an error naming the member, once the time limit has passed. */
    private boolean timeFor(String member) {
        if (expired()) {
            errors.add(member + ": left out, the time limit (" + timeLimit + ") was reached");
            return false;
        }
        return true;
    }

    private boolean expired() {
        if (!expired && !clock.instant().isBefore(deadline)) {
            expired = true;
        }
        return expired;
    }

    /** The last {@code lines} lines of a file, read from at most its last {@code window} bytes. */
    static byte[] tail(Path file, int lines, int window) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.READ))) {
            long size = ch.size();
            int n = (int) Math.min(size, window);
            ByteBuffer buf = ByteBuffer.allocate(n);
            ch.position(size - n);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read the window whole
            }
            byte[] b = buf.array();
            int len = buf.position();
            int end = len > 0 && b[len - 1] == '\n' ? len - 1 : len;
            int start = -1;
            int count = 0;
            for (int i = end - 1; i >= 0; i--) {
                if (b[i] == '\n' && ++count == lines) {
                    start = i + 1;
                    break;
                }
            }
            if (start < 0) {
                // Fewer lines than asked in the window: all of it, unless it starts inside a cut line.
                start = 0;
                if (size > n) {
                    for (int i = 0; i < end; i++) {
                        if (b[i] == '\n') {
                            start = i + 1;
                            break;
                        }
                    }
                }
            }
            return Arrays.copyOfRange(b, start, len);
        }
    }

    /** A file name reduced to [A-Za-z0-9._-], so member names stay plain whatever the log is called. */
    static String safeName(String name) {
        StringBuilder sb = new StringBuilder();
        for (byte c : name.getBytes(StandardCharsets.UTF_8)) {
            sb.append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '-' || c == '_' ? (char) c : '_');
        }
        String s = sb.length() > 100 ? sb.substring(0, 100) : sb.toString();
        return s.startsWith(".") ? "_" + s.substring(1) : s;
    }

    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() != null ? e.getClass().getSimpleName() + ": " + e.getMessage()
                : e.getClass().getSimpleName();
    }
}
