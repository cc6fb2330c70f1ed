package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForensicArchiveTest {

    private static final String ID = "20260102T030405Z-0001";
    private static final String ROOT = "forensics-" + ID + "/";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private ProcFake proc;
    private Path out;
    private Path capture;
    private byte[] captureBytes;
    private Path baselineFile;
    private Path log;
    private Path utmp;
    private Evidence evidence;

    @BeforeEach
    void scene() throws Exception {
        proc = new ProcFake(tmp.resolve("proc"));
        out = Files.createDirectories(tmp.resolve("out"));
        captureBytes = new byte[100_000];
        new java.util.Random(7).nextBytes(captureBytes);
        capture = Files.write(Files.createDirectories(tmp.resolve("quarantine")).resolve("su.1"), captureBytes);
        baselineFile = Files.writeString(tmp.resolve("hashes.json"), "{\"format\":\"bim-baseline\",\"files\":[]}\n");
        log = Files.writeString(tmp.resolve("binary_integrity_monitor.log"), IntStream.rangeClosed(1, 250)
                .mapToObj(i -> "line " + i + "\n").collect(Collectors.joining()));
        utmp = Files.write(tmp.resolve("utmp"), ForensicUtmpTest.utmp(
                ForensicUtmpTest.record(6, 500, "tty1", "1", "LOGIN", "", 1_700_000_000),
                ForensicUtmpTest.record(7, 4242, "pts/0", "ts/0", "alice", "10.0.0.9", 1_767_225_600)));

        proc.process(1, 0, 0, "init", "/sbin/init");
        proc.process(100, 1, 1000, "sshd", "sshd: alice");
        proc.fd(100, 3, "socket:[1234]");
        proc.process(200, 100, 1000, "su", "/usr/bin/su", "-");
        proc.fd(200, 4, "socket:[1234]");
        proc.file("net/tcp", ProcFake.TCP);
        proc.file("net/unix", "Num       RefCount Protocol Flags    Type St Inode Path\n"
                + "0000000000000000: 00000002 00000000 00010000 0001 01 77 /run/bim.sock\n");
        proc.file("modules", "overlay 151552 0 - Live 0x0000000000000000\n");

        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(captureBytes));
        Instant t = Instant.parse("2026-01-02T03:00:00Z");
        FileRecord now = new FileRecord("/usr/bin/su", FileType.FILE, sha, captureBytes.length, 04755, 0, 0, 77, 2049,
                1, t, t, null, Tier.CRITICAL, TestFs.CLOCK.instant());
        FileRecord before = TestFs.record("/usr/bin/su", TestFs.sha256("good su")).withTier(Tier.CRITICAL);
        evidence = new Evidence("/usr/bin/su", now, before, capture, sha, List.of(new ProcessInfo(200, 100, 1000,
                "su", "/usr/bin/su -", "/usr/bin/su", List.of("exe"), List.of(100L, 1L))));
    }

    private Forensics forensics(long budget, Clock clock) {
        return new Forensics(proc.root, utmp, clock, budget, Duration.ofSeconds(30));
    }

    @Test
    void archive_holdsEvidenceAndHostStateAndItsManifestVerifies() throws Exception {
        Forensics.ArchiveResult r = forensics(1 << 20, TestFs.CLOCK)
                .writeArchive(out, ID, List.of(evidence), baselineFile, List.of(log));

        assertEquals(out.resolve("forensics-" + ID + ".tar.gz"), r.archive());
        assertEquals(Files.size(r.archive()), r.bytes());
        assertEquals(sha256(Files.readAllBytes(r.archive())), r.sha256());
        Map<String, byte[]> m = read(r.archive());
        assertEquals(r.members(), new ArrayList<>(m.keySet()), "members in tar order");
        assertEquals(ROOT + "MANIFEST.sha256", r.members().get(r.members().size() - 1));
        verifyManifest(m);
        assertEquals(List.of(), Files.list(out).filter(p -> !p.equals(r.archive())).toList(), "no temp file left");

        assertArrayEquals(captureBytes, m.get(ROOT + "files/0/capture"));
        JsonNode stat = json(m, "files/0/stat.json");
        assertEquals("4755", stat.get("mode").asText());
        assertEquals("2026-01-02T03:00:00.000Z", stat.get("mtime").asText());
        assertEquals(77, stat.get("inode").asLong());
        assertEquals(TestFs.sha256("good su"), json(m, "files/0/baseline.json").get("sha256").asText());
        assertEquals("[100,1]", json(m, "files/0/processes.json").get(0).get("parents").toString());

        JsonNode ps = json(m, "processes.json");
        assertEquals(List.of(1L, 100L, 200L), longs(ps, "pid"));
        assertEquals("sshd: alice", ps.get(1).get("cmdline").asText());
        assertEquals("S (sleeping)", ps.get(1).get("state").asText());

        JsonNode sockets = json(m, "sockets.json");
        JsonNode listen = sockets.get(0);
        assertEquals("tcp", listen.get("protocol").asText());
        assertEquals("127.0.0.1:80", listen.get("local").asText());
        assertEquals("LISTEN", listen.get("state").asText());
        assertEquals("[100,200]", listen.get("pids").toString());
        assertEquals("/run/bim.sock", sockets.get(2).get("path").asText());
        assertEquals(ProcFake.TCP, new String(m.get(ROOT + "net/tcp"), StandardCharsets.UTF_8));
        assertTrue(m.containsKey(ROOT + "net/unix"));
        assertEquals("overlay 151552 0 - Live 0x0000000000000000\n", text(m, "modules.txt"));

        JsonNode users = json(m, "users.json");
        assertEquals(1, users.size(), users.toString());
        assertEquals("alice", users.get(0).get("user").asText());
        assertEquals("pts/0", users.get(0).get("line").asText());
        assertEquals("10.0.0.9", users.get(0).get("host").asText());
        assertEquals("2026-01-01T00:00:00.000Z", users.get(0).get("login").asText());

        String tail = text(m, "logs/binary_integrity_monitor.log.tail");
        assertEquals(IntStream.rangeClosed(51, 250).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining()),
                tail);
        assertArrayEquals(Files.readAllBytes(baselineFile), m.get(ROOT + "baseline.json"));

        String errors = text(m, "errors.txt");
        assertTrue(errors.contains("net/tcp6: cannot read"), errors);
        assertTrue(errors.contains("mounts.txt: cannot read"), errors);
        assertEquals(r.errors(), errors.lines().toList());
    }

    @Test
    void archive_isNeverOverwritten() throws Exception {
        Forensics f = forensics(1 << 20, TestFs.CLOCK);
        Forensics.ArchiveResult r = f.writeArchive(out, ID, List.of(evidence), baselineFile, List.of());
        byte[] first = Files.readAllBytes(r.archive());
        assertThrows(FileAlreadyExistsException.class,
                () -> f.writeArchive(out, ID, List.of(), baselineFile, List.of()));
        assertArrayEquals(first, Files.readAllBytes(r.archive()));
        assertEquals(1, Files.list(out).count(), "no temp file left");
    }

    @Test
    void tinyBudget_referencesTheCaptureBySha256AndSaysSo() throws Exception {
        Forensics.ArchiveResult r = forensics(4096, TestFs.CLOCK)
                .writeArchive(out, ID, List.of(evidence), baselineFile, List.of(log));
        Map<String, byte[]> m = read(r.archive());
        verifyManifest(m);
        assertFalse(m.containsKey(ROOT + "files/0/capture"));
        JsonNode ref = json(m, "files/0/capture.ref");
        assertEquals(sha256(captureBytes), ref.get("sha256").asText());
        assertEquals(capture.toString(), ref.get("file").asText());
        assertEquals(captureBytes.length, ref.get("size").asLong());
        String errors = text(m, "errors.txt");
        assertTrue(errors.lines().anyMatch(l -> l.startsWith("files/0/capture: left out, 100000 bytes exceed")),
                errors);
        long kept = m.entrySet().stream()
                .filter(e -> !e.getKey().endsWith("/errors.txt") && !e.getKey().endsWith("/MANIFEST.sha256")
                        && !e.getKey().endsWith(".ref"))
                .mapToLong(e -> 512 + (e.getValue().length + 511) / 512 * 512).sum();
        assertTrue(kept <= 4096, "the budgeted members take " + kept + " tar bytes");
    }

    @Test
    void budgetJustBelowTheCapture_keepsTheSmallMembers() throws Exception {
        Forensics.ArchiveResult r = forensics(64 * 1024, TestFs.CLOCK)
                .writeArchive(out, ID, List.of(evidence), baselineFile, List.of(log));
        Map<String, byte[]> m = read(r.archive());
        verifyManifest(m);
        assertTrue(m.containsKey(ROOT + "files/0/capture.ref"));
        assertTrue(m.containsKey(ROOT + "processes.json"));
        assertTrue(m.containsKey(ROOT + "sockets.json"));
        assertTrue(m.containsKey(ROOT + "baseline.json"), "the small baseline still fits after the capture is left out");
    }

    @Test
    void missingUtmp_isAnErrorLineNotAFailure() throws Exception {
        Forensics f = new Forensics(proc.root, tmp.resolve("no-utmp"), TestFs.CLOCK, 1 << 20, Duration.ofSeconds(5));
        Forensics.ArchiveResult r = f.writeArchive(out, ID, List.of(evidence), baselineFile, List.of());
        Map<String, byte[]> m = read(r.archive());
        verifyManifest(m);
        assertFalse(m.containsKey(ROOT + "users.json"));
        assertTrue(r.errors().stream().anyMatch(e -> e.startsWith("users.json: cannot read")), r.errors().toString());
    }

    @Test
    void timeLimit_leavesOutTheRestButStillWritesAVerifiableArchive() throws Exception {
        // Each reading of this clock moves it one second on: the 10 s limit passes part-way through.
        Clock ticking = new Clock() {
            private Instant now = TestFs.CLOCK.instant();

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public synchronized Instant instant() {
                now = now.plusSeconds(1);
                return now;
            }
        };
        Forensics.ArchiveResult r = new Forensics(proc.root, utmp, ticking, 1 << 20, Duration.ofSeconds(10))
                .writeArchive(out, ID, List.of(evidence), baselineFile, List.of(log));
        Map<String, byte[]> m = read(r.archive());
        verifyManifest(m);
        assertTrue(m.containsKey(ROOT + "files/0/stat.json"));
        assertTrue(r.errors().stream().anyMatch(e -> e.contains("the time limit (PT10S) was reached")),
                r.errors().toString());
        assertFalse(m.containsKey(ROOT + "baseline.json"), "collected last, after the limit");
    }

    @Test
    void badIncidentId_isRefusedBeforeAnythingIsWritten() throws Exception {
        Forensics f = forensics(1 << 20, TestFs.CLOCK);
        assertThrows(IllegalArgumentException.class,
                () -> f.writeArchive(out, "../x", List.of(), baselineFile, List.of()));
        assertEquals(0, Files.list(out).count());
    }

    @Test
    void tail_keepsTheLastLinesWithOrWithoutAFinalNewline() throws Exception {
        Path f = Files.writeString(tmp.resolve("a.log"), "a\nb\nc\nd");
        assertEquals("c\nd", new String(ForensicCollector.tail(f, 2, 1 << 20), StandardCharsets.UTF_8));
        Files.writeString(f, "a\nb\nc\n");
        assertEquals("b\nc\n", new String(ForensicCollector.tail(f, 2, 1 << 20), StandardCharsets.UTF_8));
        assertEquals("a\nb\nc\n", new String(ForensicCollector.tail(f, 200, 1 << 20), StandardCharsets.UTF_8));
        Files.writeString(f, "cut-line\nwhole\n");
        assertEquals("whole\n", new String(ForensicCollector.tail(f, 200, 8), StandardCharsets.UTF_8),
                "a window that starts inside a line drops that partial line");
    }

    @Test
    void manifestLine_escapesNamesTheWaySha256sumDoes() {
        assertEquals("ab  x/y\n", ForensicArchive.manifestLine("ab", "x/y"));
        assertEquals("\\ab  a\\nb\\\\c\n", ForensicArchive.manifestLine("ab", "a\nb\\c"));
    }

    /** Every member but the manifest is listed once in it, with the SHA-256 recomputed here. */
    static void verifyManifest(Map<String, byte[]> m) {
        verifyManifest(m, ROOT);
    }

    /** As above, for an archive under {@code root}. */
    static void verifyManifest(Map<String, byte[]> m, String root) {
        String manifest = new String(m.get(root + "MANIFEST.sha256"), StandardCharsets.UTF_8);
        Map<String, String> listed = new LinkedHashMap<>();
        for (String line : manifest.lines().toList()) {
            int sep = line.indexOf("  ");
            assertEquals(64, sep, "sha256sum format: " + line);
            String name = line.substring(sep + 2);
            assertEquals(null, listed.put(name, line.substring(0, sep)), name + " listed twice");
        }
        Map<String, String> actual = new LinkedHashMap<>();
        m.forEach((name, bytes) -> {
            if (!name.equals(root + "MANIFEST.sha256")) {
                assertTrue(name.startsWith(root), name);
                actual.put(name.substring(root.length()), sha256(bytes));
            }
        });
        assertEquals(actual, listed);
    }

    static Map<String, byte[]> read(Path archive) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(archive);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                assertEquals(null, m.put(e.getName(), tar.readAllBytes()), e.getName() + " twice in the tar");
            }
        }
        return m;
    }

    private static JsonNode json(Map<String, byte[]> m, String member) throws IOException {
        byte[] b = m.get(ROOT + member);
        assertTrue(b != null, member + " is in the archive: " + m.keySet());
        return JSON.readTree(b);
    }

    private static String text(Map<String, byte[]> m, String member) {
        byte[] b = m.get(ROOT + member);
        assertTrue(b != null, member + " is in the archive: " + m.keySet());
        return new String(b, StandardCharsets.UTF_8);
    }

    private static List<Long> longs(JsonNode array, String field) {
        List<Long> l = new ArrayList<>();
        array.forEach(n -> l.add(n.get(field).asLong()));
        return l;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
