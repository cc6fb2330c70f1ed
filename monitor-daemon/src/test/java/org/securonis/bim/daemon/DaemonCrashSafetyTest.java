package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.securonis.bim.core.BaselineSeal;
import org.securonis.bim.core.BaselineStore;

/**
 * SIGKILL of a running daemon at random moments while it records its first baseline, and while files are being
 * tampered with so that it writes state, quarantine captures, restores, incident reports and forensic archives.
 * After every kill, whatever it wrote is whole: the baseline loads under its seal, every JSON file parses, every
 * capture's content has the digest in its name, every archive reads to its end and matches its manifest, and no
 * monitored file is left half restored. Then a daemon starts on what is there.
 */
@Tag("stress")
class DaemonCrashSafetyTest {

    private static final long SEED = Long.getLong("bim.crash.seed", System.nanoTime());
    private static final int ROUNDS = Integer.getInteger("bim.crash.daemon.rounds", 8);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How many of the files the tampering picks from: few enough that each incident closes within a round. */
    private static final int TAMPERED = 24;
    private Tmpfs tmp;
    private Path bin;
    private Path config;
    private Path state;
    private Path logDir;
    private final Map<String, byte[]> originals = new HashMap<>();

    @BeforeEach
    void tree() throws Exception {
        tmp = Tmpfs.create("daemon-crash", 512);
        bin = Files.createDirectories(tmp.root.resolve("usr/bin"));
        Random r = new Random(SEED);
        for (int i = 0; i < 400; i++) {
            byte[] b = new byte[1024 + r.nextInt(64 * 1024)];
            r.nextBytes(b);
            Files.write(bin.resolve("f" + i), b);
            Files.setAttribute(bin.resolve("f" + i), "unix:mode", 0755);
            originals.put("f" + i, b);
        }
        state = tmp.root.resolve("state");
        logDir = state.resolve("log");
        Fakes fakes = Fakes.in(tmp.root.resolve("fakes"));
        config = tmp.root.resolve("bim.toml");
        Files.writeString(config, """
                [monitor]
                database_path = "%1$s/state/hashes.json"
                key_path = "%1$s/state/bim.key"
                log_dir = "%1$s/state/log"
                quarantine_dir = "%1$s/state/quarantine"
                lockdown_script = "%2$s"
                max_workers = 1
                [binaries]
                critical_binaries = []
                system_binaries = ["%1$s/usr/bin/*"]
                include_libraries = false
                [lockdown]
                enable_lockdown = false
                auto_restore_backup = true
                backup_dir = "%1$s/state/backup"
                [response]
                system = ["quarantine", "contain", "incident", "forensics"]
                attributes = ["incident"]
                deleted = ["contain", "incident"]
                backup_tiers = ["system"]
                max_restores_per_hour = 1000
                incident_window = 1
                forensics_max_mb = 4
                forensics_timeout = 5
                sendmail = "%3$s"
                """.formatted(tmp.root, fakes.lockdown, fakes.sendmail));
    }

    @AfterEach
    void cleanup() throws Exception {
        tmp.close();
    }

    private Process daemon() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", cp, Main.class.getName(), "--config", config.toString(), "daemon");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Test
    void killedAtAnyMoment_leavesEveryFileItWroteWhole() throws Exception {
        System.out.println("daemon crash-safety seed " + SEED + " (rerun with -Dbim.crash.seed=" + SEED + ")");
        Random r = new Random(SEED);
        int captures = 0;
        int archives = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Process d = daemon();
            AtomicBoolean stop = new AtomicBoolean();
            int seed = r.nextInt();
            // From the second round on, tamper while it runs: every change makes it write evidence.
            CompletableFuture<Void> tamper = round == 0 ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.runAsync(() -> tamper(new Random(seed), stop));
            // The first round is killed while the baseline is (likely) being recorded; later ones at any moment.
            long delay = round == 0 ? 300 + r.nextInt(900) : 1500 + r.nextInt(3500);
            boolean exited;
            if (round == ROUNDS - 1 && archives == 0) {
                // No kill so far came after an incident closed (start-up takes longer on a slow machine): this
                // one waits for the first archive, so that the checks below see archives too, then kills at once.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!hasArchive() && System.nanoTime() < deadline && d.isAlive()) {
                    Thread.sleep(20);
                }
                exited = d.waitFor(r.nextInt(300), TimeUnit.MILLISECONDS);
            } else {
                exited = d.waitFor(delay, TimeUnit.MILLISECONDS);
            }
            d.destroyForcibly();
            assertTrue(d.waitFor(20, TimeUnit.SECONDS), "killed");
            stop.set(true);
            tamper.get(20, TimeUnit.SECONDS);
            assertTrue(!exited || round > 0, "the daemon exited by itself in round " + round);
            int[] found = verifyEverythingWritten();
            if (round == 0) {
                // Known-good copies from here on, so that kills also land in restores.
                Bim.Result init = Bim.run(config, "init", "--force");
                assertEquals(0, init.code(), init.err());
            }
            captures = Math.max(captures, found[0]);
            archives = Math.max(archives, found[1]);
        }
        System.out.printf("daemon crash-safety: %d rounds killed; %d captures and %d archives checked whole%n",
                ROUNDS, captures, archives);
        assertTrue(captures > 0 && archives > 0, "the kills landed while evidence was being written: "
                + String.join("\n", Files.readAllLines(logDir.resolve("binary_integrity_monitor.log")).stream()
                        .filter(l -> l.contains("incident") && l.contains("opened") || l.contains("closed")).toList()));
        // The daemon starts on what the kills left.
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            assertEquals(0, d.stop(), d.output());
        }
    }

    private boolean hasArchive() throws IOException {
        try (var files = Files.list(logDir)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith("forensics-")
                    && f.getFileName().toString().endsWith(".tar.gz"));
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }

    // Appends to, replaces or chmods random monitored files in bursts (so that incidents close and their archives
    // are written) until told to stop.
    private void tamper(Random r, AtomicBoolean stop) {
        try {
            long burstEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200 + r.nextInt(300));
            while (!stop.get()) {
                if (System.nanoTime() > burstEnd) {
                    Thread.sleep(1200 + r.nextInt(600));
                    burstEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100 + r.nextInt(300));
                }
                Path f = bin.resolve("f" + r.nextInt(TAMPERED));
                switch (r.nextInt(3)) {
                    case 0 -> Files.writeString(f, "tampered " + r.nextLong(), java.nio.file.StandardOpenOption.APPEND);
                    case 1 -> {
                        Path t = tmp.root.resolve("trojan-" + r.nextInt(1000));
                        Files.writeString(t, "trojan " + r.nextLong());
                        Files.move(t, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                    default -> Files.setAttribute(f, "unix:mode", 04755);
                }
                Thread.sleep(5);
            }
        } catch (java.nio.file.NoSuchFileException gone) {
            // The daemon restored or moved it at that instant: fine.
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Checks every file the daemon writes; returns {captures, archives} seen. */
    private int[] verifyEverythingWritten() throws Exception {
        Path db = state.resolve("hashes.json");
        if (Files.exists(db)) {
            new BaselineStore(db, BaselineSeal.load(state.resolve("bim.key"))).load();
        }
        int captures = 0;
        int archives = 0;
        if (!Files.exists(state)) {
            return new int[] {0, 0};
        }
        try (Stream<Path> all = Files.walk(state)) {
            for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || name.endsWith(".tmp") || name.contains(".tmp-")) {
                    continue; // a temporary left by the kill: never taken for the real file
                }
                if (name.endsWith(".json")) {
                    JSON.readTree(p.toFile());
                } else if (p.getParent().getFileName().toString().equals("quarantine")) {
                    String sha = name.replaceFirst("^[0-9TZ.-]+?-([0-9a-f]{64})(-.*)?$", "$1");
                    if (sha.length() == 64) {
                        assertEquals(sha, sha256(Files.readAllBytes(p)), "capture " + p + " is whole");
                        captures++;
                    }
                } else if (name.startsWith("forensics-") && name.endsWith(".tar.gz")) {
                    verifyArchive(p);
                    archives++;
                }
            }
        }
        // A restore is a rename of a whole copy: a monitored file is the original or a whole tampered version.
        for (int i = 0; i < 400; i++) {
            Path f = bin.resolve("f" + i);
            if (Files.exists(f)) {
                byte[] now = Files.readAllBytes(f);
                byte[] original = originals.get("f" + i);
                String text = new String(now, StandardCharsets.ISO_8859_1);
                assertTrue(java.util.Arrays.equals(now, original) || text.contains("tampered ")
                        || text.startsWith("trojan "), f + " is neither the original nor a tampered version");
            }
        }
        if (Files.exists(db)) {
            assertEquals(0, Bim.run(config, "verify-db").code(), "verify-db after the kill");
        }
        assertEquals(0, Bim.run(config, "quarantine", "list").code(), "quarantine list after the kill");
        return new int[] {captures, archives};
    }

    private static void verifyArchive(Path archive) throws Exception {
        Map<String, String> digests = new HashMap<>();
        String manifest = null;
        try (InputStream in = Files.newInputStream(archive);
                TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                byte[] b = tar.readAllBytes();
                if (e.getName().endsWith("MANIFEST.sha256")) {
                    manifest = new String(b, StandardCharsets.UTF_8);
                } else {
                    digests.put(e.getName(), sha256(b));
                }
            }
        }
        assertTrue(manifest != null, archive + " ends with its manifest");
        List<String> missing = new ArrayList<>();
        for (String line : manifest.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String sha = line.substring(0, 64);
            String member = line.substring(66);
            if (!sha.equals(digests.get(member)) && digests.keySet().stream().noneMatch(
                    k -> k.endsWith("/" + member) && sha.equals(digests.get(k)))) {
                missing.add(member);
            }
        }
        assertTrue(missing.isEmpty(), archive + ": members not as the manifest says: " + missing);
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
