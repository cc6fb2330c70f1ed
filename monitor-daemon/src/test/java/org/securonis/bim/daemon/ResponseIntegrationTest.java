package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The response pipeline end to end: the daemon as a real process, a fake lockdown script and sendmail, tmpfs. */
class ResponseIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private Tmpfs tmp;
    private Path bin;
    private Path config;
    private Path logDir;
    private Fakes fakes;
    private final byte[] goodSu = "the real su binary\n".getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void tree() throws Exception {
        tmp = Tmpfs.create("response");
        bin = Files.createDirectories(tmp.root.resolve("usr/bin"));
        Files.write(bin.resolve("su"), goodSu);
        Files.setAttribute(bin.resolve("su"), "unix:mode", 04755);
        for (int i = 0; i < 20; i++) {
            Files.writeString(bin.resolve("tool" + i), "tool " + i);
            Files.setAttribute(bin.resolve("tool" + i), "unix:mode", 0755);
        }
        fakes = Fakes.in(tmp.root.resolve("fakes"));
        logDir = tmp.root.resolve("state/log");
        config = tmp.root.resolve("bim.toml");
        Files.writeString(config, """
                [monitor]
                database_path = "%1$s/state/hashes.json"
                key_path = "%1$s/state/bim.key"
                log_dir = "%1$s/state/log"
                quarantine_dir = "%1$s/quarantine"
                lockdown_script = "%2$s"
                max_workers = 2
                [binaries]
                critical_binaries = ["%1$s/usr/bin/su"]
                system_binaries = ["%1$s/usr/bin/*"]
                include_libraries = false
                [lockdown]
                enable_lockdown = true
                auto_restore_backup = true
                backup_dir = "%1$s/backup"
                [response]
                incident_window = 1
                sendmail = "%3$s"
                """.formatted(tmp.root, fakes.lockdown, fakes.sendmail));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--config", config.toString(), "init"}, new PrintStream(out, true),
                new PrintStream(out, true), Clock.systemUTC(), false);
        assertEquals(0, code, out.toString());
        assertTrue(out.toString().contains("kept 1 known-good copy"), out.toString());
    }

    @AfterEach
    void cleanup() throws Exception {
        tmp.close();
    }

    private static <T> T await(Supplier<T> probe, int seconds, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            Thread.sleep(10);
        }
    }

    /** The closed incident reports in the log dir, by id. */
    private Map<String, JsonNode> closedReports() {
        Map<String, JsonNode> out = new HashMap<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(logDir, "incident-*.json")) {
            for (Path p : s) {
                JsonNode n = JSON.readTree(p.toFile());
                if (!n.path("closed").isNull() && n.path("actions").toString().contains("\"notify\"")) {
                    out.put(n.path("incident_id").asText(), n);
                }
            }
        } catch (Exception e) {
            return Map.of();
        }
        return out;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static String outcome(JsonNode report, String stage) {
        for (JsonNode a : report.path("actions")) {
            if (a.path("stage").asText().equals(stage)) {
                return a.path("outcome").asText() + ": " + a.path("detail").asText();
            }
        }
        return null;
    }

    @Test
    void tamperedCriticalFile_getsEveryStageOnce_andARestoredFileIsNotReportedAgain() throws Exception {
        Path su = bin.resolve("su");
        Object uid = Files.getAttribute(su, "unix:uid");
        Process holder = new ProcessBuilder("sleep", "120").redirectInput(su.toFile()).start();
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            byte[] trojan = "#!/bin/sh\necho pwned\n".getBytes(StandardCharsets.UTF_8);
            Files.write(su, trojan);
            JsonNode alert = d.awaitAlert(a -> a.at("/file/path").asText().equals(su.toString()), 5);
            String incident = alert.at("/bim/incident_id").asText();
            assertTrue(incident.matches("\\d{8}T\\d{6}Z-[0-9a-f]{4}"), alert.toString());
            assertEquals("critical", alert.at("/bim/tier").asText());

            // Restored from the known-good copy, mode and owner kept, within a second or so of the alert.
            await(() -> {
                try {
                    return java.util.Arrays.equals(goodSu, Files.readAllBytes(su)) ? Boolean.TRUE : null;
                } catch (Exception e) {
                    return null;
                }
            }, 5, "su restored");
            assertEquals(04755, ((Number) Files.getAttribute(su, "unix:mode")).intValue() & 07777);
            assertEquals(uid, Files.getAttribute(su, "unix:uid"));

            JsonNode report = await(() -> closedReports().get(incident), 30, "the closed incident report");
            assertEquals(1, report.path("files").size(), report.toString());
            JsonNode file = report.path("files").get(0);
            assertEquals(su.toString(), file.path("path").asText());
            assertTrue(outcome(report, "restore").startsWith("ok: restored the known-good copy"), report.toString());
            assertTrue(outcome(report, "lockdown").startsWith("ok"), report.toString());
            assertTrue(outcome(report, "notify").startsWith("ok"), report.toString());
            assertTrue(outcome(report, "forensics").startsWith("ok"), report.toString());

            // The quarantine holds exactly the tampered bytes, read-only.
            Path capture = Path.of(file.at("/quarantine/content").asText());
            assertEquals(sha256(trojan), file.at("/quarantine/sha256").asText());
            assertTrue(java.util.Arrays.equals(trojan, Files.readAllBytes(capture)));
            assertEquals(0400, ((Number) Files.getAttribute(capture, "unix:mode")).intValue() & 07777);

            // The process holding the file was found, and the archive's manifest verifies.
            boolean held = false;
            for (JsonNode p : file.path("processes")) {
                held |= p.path("pid").asLong() == holder.pid();
            }
            assertTrue(held, "the report lists the process holding su open: " + file.path("processes"));
            Path archive = Path.of(report.at("/evidence/forensic_archive").asText());
            Map<String, String> members = verifyArchive(archive);
            assertTrue(members.keySet().stream().anyMatch(m -> m.endsWith("files/0/capture")), members.keySet().toString());

            assertEquals(1, fakes.lockdownCalls().size(), fakes.lockdownCalls().toString());
            assertEquals(incident + " " + logDir.resolve("incident-" + incident + ".json"), fakes.lockdownCalls().get(0));
            assertEquals(1, fakes.mailCount());
            assertTrue(fakes.mailText().contains("Subject: [bim] incident " + incident), fakes.mailText());

            // A sweep after the restore reports nothing: the new inode is our own doing.
            d.signal("USR1");
            d.awaitLog(l -> l.contains("sweep (SIGUSR1) done"), 10);
            assertEquals(1, d.alerts().size(), d.alerts().toString());

            // Tampering again while in lockdown: a new incident, recorded, but the script does not run again.
            Files.write(su, "again".getBytes(StandardCharsets.UTF_8));
            JsonNode second = d.awaitAlert(a -> a.at("/file/path").asText().equals(su.toString())
                    && !a.at("/bim/incident_id").asText().equals(incident), 5);
            JsonNode report2 = await(() -> closedReports().get(second.at("/bim/incident_id").asText()), 30,
                    "the second incident report");
            assertTrue(outcome(report2, "lockdown").startsWith("skipped: the host is already in lockdown"), report2.toString());
            assertEquals(1, fakes.lockdownCalls().size());
            assertEquals(0, d.stop());
        } finally {
            holder.destroyForcibly().waitFor();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // A plain check after the daemon's restore (and the second tampering's restore) is clean: the new inode
        // is a runtime fact the daemon recorded, not a change.
        assertEquals(0, Main.run(new String[] {"--config", config.toString(), "check"}, new PrintStream(out, true),
                System.err, Clock.systemUTC(), false), out.toString());
        out.reset();
        Main.run(new String[] {"--config", config.toString(), "lockdown", "status"}, new PrintStream(out, true),
                System.err, Clock.systemUTC(), false);
        assertTrue(out.toString().startsWith("lockdown: ACTIVE since"), out.toString());
        out.reset();
        assertEquals(0, Main.run(new String[] {"--config", config.toString(), "lockdown", "release"},
                new PrintStream(out, true), System.err, Clock.systemUTC(), false));
        assertEquals(List.of(fakes.lockdownCalls().get(0), "release"), fakes.lockdownCalls());
        assertTrue(out.toString().contains("lockdown: released"), out.toString());
    }

    @Test
    void burstOfReplacements_isOneIncident_withoutLockdownForSystemFiles() throws Exception {
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            for (int i = 0; i < 20; i++) {
                Path t = tmp.root.resolve("new" + i);
                Files.writeString(t, "evil " + i);
                Files.move(t, bin.resolve("tool" + i), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            for (int i = 0; i < 20; i++) {
                String p = bin.resolve("tool" + i).toString();
                d.awaitAlert(a -> a.at("/file/path").asText().equals(p), 5);
            }
            Set<String> incidents = new HashSet<>();
            d.alerts().forEach(a -> incidents.add(a.at("/bim/incident_id").asText()));
            assertEquals(1, incidents.size(), "one incident for the burst: " + incidents);
            JsonNode report = await(() -> closedReports().get(incidents.iterator().next()), 30, "the burst's report");
            assertEquals(20, report.path("files").size());
            assertTrue(outcome(report, "lockdown") == null, "no lockdown stage for system-tier files");
            assertEquals(0, fakes.lockdownCalls().size());
            assertEquals(1, fakes.mailCount());
            // Not restored (no known-good copy for the system tier): disarmed, so the trojans cannot run.
            for (int i = 0; i < 20; i++) {
                assertEquals(0644, ((Number) Files.getAttribute(bin.resolve("tool" + i), "unix:mode")).intValue() & 07777);
            }
            assertEquals(0, d.stop());
            assertEquals(20, d.alerts().size(), "our own disarming is not reported as tampering");
        }
    }

    /** Reads the archive, recomputes every member's SHA-256 and checks the manifest lists each exactly once. */
    static Map<String, String> verifyArchive(Path archive) throws Exception {
        Map<String, String> hashes = new HashMap<>();
        String manifest = null;
        String root = null;
        try (InputStream in = Files.newInputStream(archive);
                TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                byte[] data = tar.readAllBytes();
                String name = e.getName();
                root = name.substring(0, name.indexOf('/') + 1);
                if (name.endsWith("/MANIFEST.sha256")) {
                    manifest = new String(data, StandardCharsets.UTF_8);
                } else {
                    hashes.put(name.substring(root.length()), sha256(data));
                }
            }
        }
        assertNotNull(manifest, "the archive has a manifest");
        Map<String, String> listed = new HashMap<>();
        for (String line : manifest.split("\n")) {
            if (!line.isBlank()) {
                String prev = listed.put(line.substring(66), line.substring(0, 64));
                assertEquals(null, prev, "listed twice: " + line);
            }
        }
        assertEquals(hashes, listed, "the manifest matches every member");
        return hashes;
    }
}
