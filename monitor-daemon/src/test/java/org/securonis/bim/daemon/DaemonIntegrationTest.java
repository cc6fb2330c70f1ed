package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code bim daemon} as a real process against the real kernel on a tmpfs the test mounts. */
class DaemonIntegrationTest {

    private Tmpfs tmp;
    private Path bin;
    private Path lib;
    private Path config;
    private Fakes fakes;
    private Path logDir;

    @BeforeEach
    void tree() throws Exception {
        tmp = Tmpfs.create("daemon");
        bin = Files.createDirectories(tmp.root.resolve("usr/bin"));
        lib = Files.createDirectories(tmp.root.resolve("usr/lib"));
        for (String name : new String[] {"su", "ls", "cat", "chmod-me", "chown-me", "over-me", "rm-me", "mv-src",
                "held"}) {
            Files.writeString(bin.resolve(name), name + " binary");
        }
        Files.writeString(lib.resolve("libc.so.6"), "libc");
        Files.createSymbolicLink(bin.resolve("sh"), Path.of("ls"));
        logDir = tmp.root.resolve("state/log");
        fakes = Fakes.in(tmp.root.resolve("fakes"));
        config = tmp.root.resolve("bim.toml");
        Files.writeString(config, """
                [monitor]
                lockdown_script = "%2$s"
                interval = 3600
                database_path = "%1$s/state/hashes.json"
                key_path = "%1$s/state/bim.key"
                log_dir = "%1$s/state/log"
                quarantine_dir = "%1$s/state/quarantine"
                max_workers = 2
                [binaries]
                critical_binaries = ["%1$s/usr/bin/su"]
                system_binaries = ["%1$s/usr/bin/*"]
                critical_libraries = ["%1$s/usr/lib/**/lib*.so*"]
                                [response]
                sendmail = "%3$s"
                """.formatted(tmp.root, fakes.lockdown, fakes.sendmail));
    }

    @AfterEach
    void cleanup() throws Exception {
        tmp.close();
    }

    private static Predicate<JsonNode> alert(Path path, String action) {
        return a -> a.at("/file/path").asText().equals(path.toString()) && a.at("/event/action").asText().equals(action);
    }

    private Map<String, Long> alertCounts(DaemonProcess d) throws Exception {
        Map<String, Long> m = new TreeMap<>();
        for (JsonNode a : d.alerts()) {
            m.merge(a.at("/file/path").asText().substring(tmp.root.toString().length()) + " "
                    + a.at("/event/action").asText(), 1L, Long::sum);
        }
        return m;
    }

    @Test
    void eachEventKind_givesExactlyTheRightAlertOnce() throws Exception {
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            assertTrue(d.log().stream().anyMatch(l -> l.contains("no baseline at") && l.contains("recorded one of 11 files")),
                    "a first run records the baseline and says so");
            Files.writeString(bin.resolve("cat"), "appended", StandardOpenOption.APPEND);
            JsonNode cat = d.awaitAlert(alert(bin.resolve("cat"), "updated"), 5);
            assertEquals("event", cat.at("/bim/source").asText());
            assertEquals("system", cat.at("/bim/tier").asText());

            Files.setAttribute(bin.resolve("chmod-me"), "unix:mode", 04755);
            assertEquals("4755", d.awaitAlert(alert(bin.resolve("chmod-me"), "attributes_modified"), 5)
                    .at("/file/mode").asText());
            Files.setAttribute(bin.resolve("chown-me"), "unix:uid", 4321);
            assertEquals("4321", d.awaitAlert(alert(bin.resolve("chown-me"), "attributes_modified"), 5)
                    .at("/file/uid").asText());

            Path trojan = tmp.root.resolve("trojan");
            Files.writeString(trojan, "trojan");
            Files.move(trojan, bin.resolve("over-me"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            d.awaitAlert(alert(bin.resolve("over-me"), "updated"), 5);

            Files.delete(bin.resolve("rm-me"));
            d.awaitAlert(alert(bin.resolve("rm-me"), "deleted"), 5);

            Files.copy(bin.resolve("ls"), bin.resolve("added"));
            d.awaitAlert(alert(bin.resolve("added"), "created"), 5);

            Files.delete(bin.resolve("sh"));
            Files.createSymbolicLink(bin.resolve("sh"), Path.of("/tmp/evil"));
            assertEquals("/tmp/evil", d.awaitAlert(alert(bin.resolve("sh"), "updated"), 5)
                    .at("/file/target_path").asText());

            Files.move(bin.resolve("mv-src"), bin.resolve("mv-dst"));
            JsonNode moved = d.awaitAlert(alert(bin.resolve("mv-dst"), "moved"), 5);
            assertEquals(bin.resolve("mv-src").toString(), moved.at("/bim/previous/path").asText());

            Files.writeString(bin.resolve("su"), "su trojan");
            assertEquals("critical", d.awaitAlert(alert(bin.resolve("su"), "updated"), 5).at("/bim/tier").asText());

            // A sweep that finds the same tampered states alerts none of them again.
            d.signal("USR1");
            d.awaitLog(l -> l.contains("sweep (SIGUSR1) done"), 10);
            assertEquals(Map.of(
                    "/usr/bin/cat updated", 1L,
                    "/usr/bin/chmod-me attributes_modified", 1L,
                    "/usr/bin/chown-me attributes_modified", 1L,
                    "/usr/bin/over-me updated", 1L,
                    "/usr/bin/rm-me deleted", 1L,
                    "/usr/bin/added created", 1L,
                    "/usr/bin/sh updated", 1L,
                    "/usr/bin/mv-dst moved", 1L,
                    "/usr/bin/su updated", 1L), alertCounts(d));
            assertEquals(0, d.stop(), d.output());
            assertTrue(d.log().get(d.log().size() - 1).contains("DaemonCommand: stopped"), d.log().toString());
            assertFalse(Files.exists(tmp.root.resolve("state/bim.pid")), "the pid file is removed on stop");
        }
    }

    @Test
    void namesThatAreNotUtf8_areAlertedByEventUnderTheirExactBytes() throws Exception {
        Tmpfs.python(bin, """
                import os, sys
                d = os.fsencode(sys.argv[1])
                for n in (b'x\\xffy', b'x\\xfey'):
                    open(d + b'/' + n, 'wb').write(b'original')
                """);
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            Tmpfs.python(bin, """
                    import os, sys
                    d = os.fsencode(sys.argv[1])
                    open(d + b'/x\\xfey', 'ab').write(b' tampered')
                    os.rename(d + b'/x\\xffy', d + b'/moved\\xc3')
                    """);
            JsonNode a = d.awaitAlert(x -> x.at("/file/path").asText().equals(bin + "/x\uDCFEy"), 5);
            assertEquals("updated", a.at("/event/action").asText());
            assertEquals("event", a.at("/bim/source").asText());
            JsonNode m = d.awaitAlert(x -> x.at("/file/path").asText().equals(bin + "/moved\uDCC3"), 5);
            assertEquals("moved", m.at("/event/action").asText());
            assertEquals(bin + "/x\uDCFFy", m.at("/bim/previous/path").asText());
            assertTrue(d.log().stream().anyMatch(l -> l.contains("x\\xfey")), "the text log shows the byte escaped");
            assertTrue(d.log().stream().noneMatch(l -> l.contains("\uFFFD")), d.log().toString());
        }
    }

    @Test
    void directoryCreatedAndFilledQuickly_isCaught() throws Exception {
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            Path deep = Files.createDirectories(lib.resolve("a/b/c"));
            for (int i = 0; i < 20; i++) {
                Files.writeString(deep.resolve("libevil" + i + ".so"), "evil " + i);
            }
            for (int i = 0; i < 20; i++) {
                JsonNode a = d.awaitAlert(alert(deep.resolve("libevil" + i + ".so"), "created"), 5);
                assertEquals("library", a.at("/bim/tier").asText());
            }
            assertEquals(0, d.stop());
        }
    }

    @Test
    void writeWithoutClose_isCaughtWhileHeldOpenAndAgainOnClose() throws Exception {
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            Path held = bin.resolve("held");
            try (FileChannel ch = FileChannel.open(held, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ch.write(ByteBuffer.wrap("first".getBytes()));
                ch.force(false);
                long t0 = System.nanoTime();
                JsonNode first = d.awaitAlert(alert(held, "updated"), 5);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms < 3000, "verified " + ms + " ms after the write, while still open");
                String firstHash = first.at("/file/hash/sha256").asText();
                ch.write(ByteBuffer.wrap("second".getBytes()));
                ch.force(false);
                d.awaitAlert(a -> alert(held, "updated").test(a) && !a.at("/file/hash/sha256").asText().equals(firstHash), 5);
            }
            assertEquals(0, d.stop());
        }
    }

    @Test
    void changesMadeWhileDown_areFoundByTheStartUpSweep_andNotAlertedAgainAfterARestart() throws Exception {
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            assertEquals(0, d.stop());
        }
        Files.writeString(bin.resolve("ls"), "changed while down");
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            JsonNode a = d.awaitAlert(alert(bin.resolve("ls"), "updated"), 5);
            assertEquals("sweep", a.at("/bim/source").asText());
            assertEquals(0, d.stop());
        }
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            d.awaitLog(l -> l.contains("sweep (start-up) done") && l.contains("(0 new alerts)"), 5);
            assertEquals(1, d.alerts().size(), "the outstanding change is remembered across restarts");
            assertEquals(0, d.stop());
        }
    }

    @Test
    void aWriteThroughAHardLinkElsewhere_isCaughtByTheInodeWatch_andASweepAgreesWithIt() throws Exception {
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            assertTrue(d.log().stream().anyMatch(l -> l.contains("inode watch on the file systems of 2 of 2 watch roots")),
                    d.log().toString());
            // A write through a hard link in an unwatched directory raises no inotify event in the watched one:
            // the file system mark sees the inode change whatever its name.
            Path alias = tmp.root.resolve("alias");
            Files.createLink(alias, bin.resolve("cat"));
            Files.writeString(alias, "tampered via link", StandardOpenOption.TRUNCATE_EXISTING);
            JsonNode a = d.awaitAlert(alert(bin.resolve("cat"), "updated"), 5);
            assertEquals("event", a.at("/bim/source").asText());
            assertTrue(a.at("/bim/changes").toString().contains("\"sha256\""), a.toString());
            // A chmod through the link, too (still "updated": the content is not accepted either).
            Files.setAttribute(alias, "unix:mode", 04755);
            JsonNode m = d.awaitAlert(x -> alert(bin.resolve("cat"), "updated").test(x)
                    && x.at("/bim/changes").toString().contains("\"mode\""), 5);
            assertEquals("event", m.at("/bim/source").asText());
            assertEquals("4755", m.at("/file/mode").asText());
            // The sweep (SIGUSR1) finds nothing new: the events have said it all.
            long before = d.alerts().size();
            d.signal("USR1");
            d.awaitLog(l -> l.contains("sweep (SIGUSR1) done"), 10);
            assertEquals(before, d.alerts().size(), String.join("\n", d.log()));
            // status says the inode watch is on and what it has seen (state is written every 2 s).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String status;
            do {
                status = Bim.run(config, "status").out();
                assertTrue(System.nanoTime() < deadline, status);
            } while (!status.matches("(?s).*inode watch: on, 1[01] files by handle, [1-9][0-9]* changes through other names.*"));
            assertEquals(0, d.stop());
        }
    }

    @Test
    void aBindMountOverAMonitoredFile_isAlertedAtOnce_andItsUnmountToo() throws Exception {
        Path trojan = Files.writeString(tmp.root.resolve("trojan-cat"), "a cat that also phones home");
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            // Nothing is written: the path reads another file. Neither inotify nor fanotify says a word.
            Process mount = new ProcessBuilder("mount", "--bind", trojan.toString(), bin.resolve("cat").toString())
                    .redirectErrorStream(true).start();
            String why = new String(mount.getInputStream().readAllBytes());
            org.junit.jupiter.api.Assumptions.assumeTrue(mount.waitFor() == 0, "bind mounts not permitted here: " + why);
            try {
                JsonNode a = d.awaitAlert(alert(bin.resolve("cat"), "updated"), 5);
                assertEquals("event", a.at("/bim/source").asText());
                assertTrue(a.at("/bim/changes").toString().contains("\"sha256\""), a.toString());
                assertTrue(d.log().stream().anyMatch(l -> l.contains("mount table changed on " + bin.resolve("cat"))),
                        d.log().toString());
            } finally {
                // Lazily: the daemon may hold the file open this instant (quarantine, hashing), which a plain
                // umount refuses as busy.
                assertEquals(0, new ProcessBuilder("umount", "-l", bin.resolve("cat").toString()).inheritIO().start()
                        .waitFor(), "unmounted");
            }
            // Taken off again: the recorded file is back, and the daemon says so.
            d.awaitLog(l -> l.contains(bin.resolve("cat") + " matches its baseline again"), 5);
            assertEquals(0, d.stop());
        }
    }

    @Test
    void aFileSystemMountedOverAMonitoredDirectory_isVerifiedAndSweptAtOnce() throws Exception {
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            // An empty tmpfs over the library directory: every library there is gone from sight, nothing written.
            Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", lib.toString())
                    .redirectErrorStream(true).start();
            String why = new String(mount.getInputStream().readAllBytes());
            org.junit.jupiter.api.Assumptions.assumeTrue(mount.waitFor() == 0, "mounts not permitted here: " + why);
            try {
                // The recorded files below it are verified at once, and a sweep looks at the whole of it: whichever
                // of the two gets there first alerts (once), within moments of the mount, not at the next interval.
                JsonNode a = d.awaitAlert(alert(lib.resolve("libc.so.6"), "deleted"), 10);
                assertTrue(Set.of("event", "sweep").contains(a.at("/bim/source").asText()), a.toString());
                assertTrue(d.log().stream().anyMatch(l -> l.contains("mount table changed on " + lib)),
                        d.log().toString());
                d.awaitLog(l -> l.contains("sweep (mount over a monitored directory) done"), 10);
                assertEquals(1, d.alerts().stream().filter(alert(lib.resolve("libc.so.6"), "deleted")).count());
            } finally {
                assertEquals(0, new ProcessBuilder("umount", "-l", lib.toString()).inheritIO().start().waitFor(),
                        "unmounted");
            }
            assertEquals(0, d.stop());
        }
    }

    @Test
    void acceptedChange_isNoLongerOutstanding() throws Exception {
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            Files.writeString(bin.resolve("ls"), "new ls");
            d.awaitAlert(alert(bin.resolve("ls"), "updated"), 5);
            int code = Main.run(new String[] {"--config", config.toString(), "update", bin.resolve("ls").toString()},
                    System.out, System.err, java.time.Clock.systemUTC(), false);
            assertEquals(0, code);
            d.signal("USR1");
            d.awaitLog(l -> l.contains("matches its baseline again (was updated)"), 10);
            String accepted = sha("new ls");
            Files.writeString(bin.resolve("ls"), "newer ls");
            d.awaitAlert(a -> alert(bin.resolve("ls"), "updated").test(a)
                    && a.at("/bim/previous/hash/sha256").asText().equals(accepted), 5);
            assertEquals(0, d.stop());
        }
    }

    private static String sha(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes()));
    }

    @Test
    void reload_refusesABadEditKeepingTheOldConfig_andAppliesAGoodEditWithoutASignal() throws Exception {
        Path extra = Files.createDirectories(tmp.root.resolve("opt/bin"));
        Files.writeString(extra.resolve("tool"), "tool");
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            String good = Files.readString(config);
            Files.writeString(config, good.replace("max_workers = 2", "max_workers = 2\n  bogus_key = 1"));
            // The edit itself is noticed (the directory is watched) and refused; so is an explicit SIGHUP.
            d.awaitLog(l -> l.contains("reload (file changed) refused, the running configuration stays"), 10);
            d.signal("HUP");
            d.awaitLog(l -> l.contains("reload (SIGHUP) refused, the running configuration stays"), 10);
            String where = d.awaitLog(l -> l.contains("unknown key 'bogus_key'"), 5);
            assertTrue(where.contains(config + ":9:3: unknown key 'bogus_key' in [monitor]"), where);
            // The old configuration still runs: a change is alerted as before.
            Files.writeString(bin.resolve("ls"), "still watched");
            d.awaitAlert(alert(bin.resolve("ls"), "updated"), 5);

            // A good edit, written the way editors do (a new file renamed over the old), with no signal.
            Path edited = tmp.root.resolve("bim.toml.new");
            Files.writeString(edited, good.replace("system_binaries = [", "system_binaries = [\"" + extra + "/*\", "));
            Files.move(edited, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            String applied = d.awaitLog(l -> l.contains("reload (file changed) applied"), 10);
            assertTrue(applied.contains("binaries.system_binaries"), applied);
            d.awaitLog(l -> l.contains("sweep (reload) done"), 10);
            Files.writeString(extra.resolve("tool"), "tampered in the new path");
            JsonNode a = d.awaitAlert(a2 -> a2.at("/file/path").asText().equals(extra.resolve("tool").toString()), 5);
            assertEquals("event", a.at("/bim/source").asText(), "the new path is watched, not only swept");

            // status reports the running daemon from the state it keeps current.
            java.io.ByteArrayOutputStream status = new java.io.ByteArrayOutputStream();
            assertEquals(0, Main.run(new String[] {"--config", config.toString(), "status"},
                    new java.io.PrintStream(status, true), System.err, java.time.Clock.systemUTC(), false));
            String st = status.toString();
            assertTrue(st.contains("daemon:     running, pid " + d.pid()), st);
            assertTrue(st.matches("(?s).*watching:   \\d+ files in \\d+ directories, real-time on.*"), st);
            assertTrue(st.contains("last sweep: ") && st.contains("lockdown:   not active")
                    && st.contains("maintenance: not active") && st.contains("events:     "), st);

            // bim sweep and bim reload signal the daemon through its pid file.
            assertEquals(0, Main.run(new String[] {"--config", config.toString(), "sweep"}, System.out, System.err,
                    java.time.Clock.systemUTC(), false));
            d.awaitLog(l -> l.contains("sweep (SIGUSR1) done"), 10);
            assertEquals(0, d.stop());
        }
        assertEquals(18, Main.run(new String[] {"--config", config.toString(), "reload"}, System.out, System.err,
                java.time.Clock.systemUTC(), false), "no daemon to signal");
    }

    @Test
    void maintenance_acceptsWhatDpkgVouchesFor_andAlertsTheRestWhenItEnds() throws Exception {
        Path info = Files.createDirectories(tmp.root.resolve("dpkg/info"));
        String rel = bin.resolve("ls").toString().substring(1);
        Files.writeString(info.resolve("coreutils.md5sums"), md5("ls from the package") + "  " + rel + "\n"
                + md5("what cat should be") + "  " + bin.resolve("cat").toString().substring(1) + "\n");
        Files.writeString(info.resolve("coreutils.list"), bin.resolve("ls") + "\n" + bin.resolve("cat") + "\n");
        Files.writeString(config, Files.readString(config) + "[maintenance]\ndpkg_info_dir = \"" + info + "\"\n");
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            assertEquals(0, bim("maintenance", "begin", "--reason", "apt upgrade"));
            d.awaitLog(l -> l.contains("maintenance begun (apt upgrade)"), 10);
            Files.writeString(bin.resolve("ls"), "ls from the package");
            Files.writeString(bin.resolve("cat"), "a trojan slipped into the update");
            d.awaitLog(l -> l.contains("maintenance: updated " + bin.resolve("cat")), 10);
            d.awaitLog(l -> l.contains("maintenance: updated " + bin.resolve("ls")), 10);
            assertEquals(0, d.alerts().size(), "nothing is answered during maintenance");

            assertEquals(4, bim("maintenance", "end"), "one change is left to be alerted");
            d.awaitLog(l -> l.contains("maintenance ended:"), 10);
            JsonNode a = d.awaitAlert(alert(bin.resolve("cat"), "updated"), 10);
            assertEquals("sweep", a.at("/bim/source").asText());
            d.awaitLog(l -> l.contains("sweep (maintenance ended) done"), 10);
            assertEquals(1, d.alerts().size(), "ls matched its package and was accepted: " + d.alerts());
            assertEquals(0, d.stop());
        }
        assertEquals(4, bim("check"), "cat still differs");
    }

    private int bim(String... args) {
        return Bim.run(config, args).code();
    }

    private static String md5(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(s.getBytes()));
    }

    @Test
    void editedBaseline_isACriticalAlert_whileRunning_andRefusedByTheCommands() throws Exception {
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            assertEquals(0, bim("verify-db"));
            Path db = tmp.root.resolve("state/hashes.json");
            String text = Files.readString(db);
            // Bless a trojan by hand: put its digest into the record of ls, as an intruder would.
            Files.writeString(bin.resolve("ls"), "trojan ls");
            String blessed = text.replaceFirst("(\"path\":\"" + java.util.regex.Pattern.quote(bin.resolve("ls").toString())
                    + "\",\"type\":\"file\",\"sha256\":\")[0-9a-f]{64}", "$1" + md5sumLike("trojan ls"));
            assertTrue(!blessed.equals(text), "the record was edited");
            Files.writeString(db, blessed);
            JsonNode a = d.awaitAlert(x -> x.at("/event/action").asText().equals("baseline_tampered"), 10);
            assertEquals(db.toString(), a.at("/file/path").asText());
            assertEquals("critical", a.at("/bim/tier").asText());
            // The last good baseline stays in force: the trojan is still a change.
            d.awaitAlert(alert(bin.resolve("ls"), "updated"), 10);
            assertEquals(0, d.stop());
        }
        assertEquals(18, bim("verify-db"));
        assertEquals(18, bim("check"));
    }

    @Test
    void anOlderBaselinePutBackWhileRunning_isABaselineTamperedAlert_andTheNewerOneStaysInForce() throws Exception {
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            Path db = tmp.root.resolve("state/hashes.json");
            byte[] old = Files.readAllBytes(db);
            // An upgrade of ls, accepted; then the intruder puts the older, genuinely sealed baseline back, under
            // which their own older ls would pass.
            Files.writeString(bin.resolve("ls"), "ls 2.0");
            d.awaitAlert(alert(bin.resolve("ls"), "updated"), 10);
            assertEquals(0, bim("update", bin.resolve("ls").toString()));
            d.awaitLog(l -> l.contains("baseline reloaded from"), 10);
            Files.write(db, old);
            JsonNode a = d.awaitAlert(x -> x.at("/event/action").asText().equals("baseline_tampered"), 10);
            assertEquals(db.toString(), a.at("/file/path").asText());
            assertTrue(a.at("/message").asText().contains("ROLLED BACK") || d.log().stream()
                    .anyMatch(l -> l.contains("ROLLED BACK")), a.toString());
            assertEquals(0, d.stop());
        }
        assertEquals(18, bim("verify-db"));
    }

    private static String md5sumLike(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes()));
    }
}
