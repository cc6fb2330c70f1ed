package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Files and names chosen to break a monitor, on a real tmpfs: each gets a sensible record or finding. */
class HostileTreeTest {

    private Tmpfs tmp;
    private Path bin;
    private Path config;
    private String out;
    private String err;

    @BeforeEach
    void tree() throws Exception {
        tmp = Tmpfs.create("hostile", 1024);
        bin = Files.createDirectories(tmp.root.resolve("usr/bin"));
        config = tmp.root.resolve("bim.toml");
        Files.writeString(config, """
                [monitor]
                database_path = "%1$s/state/hashes.json"
                key_path = "%1$s/state/bim.key"
                log_dir = "%1$s/state/log"
                lockdown_script = "/bin/false"
                [binaries]
                critical_binaries = []
                system_binaries = ["%1$s/usr/bin/**"]
                include_libraries = false
                [lockdown]
                backup_dir = "%1$s/state/backup"
                """.formatted(tmp.root));
    }

    @AfterEach
    void cleanup() throws Exception {
        try {
            // Every hostile tree was walked, hashed and reported in this JVM: no descriptor may be left on it.
            List<String> open = new ArrayList<>();
            try (var fds = Files.list(Path.of("/proc/self/fd"))) {
                for (Path fd : fds.toList()) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith(tmp.root.toString())) {
                            open.add(target);
                        }
                    } catch (java.io.IOException closedMeanwhile) {
                        // the listing's own descriptor, or one closed since
                    }
                }
            }
            assertEquals(List.of(), open, "descriptors leaked on the hostile tree");
        } finally {
            tmp.close();
        }
    }

    private int bim(String... args) {
        Bim.Result r = Bim.run(config, args);
        out = r.out();
        err = r.err();
        return r.code();
    }

    @Test
    void namesWithNewlinesTabsQuotesAndLongComponents_areEscapedForPeopleAndExactInJson() throws Exception {
        String[] names = {"new\nline", "tab\there", "quote\"d", "back\\slash", "x".repeat(255), "ünïcødé",
                "\u001b[2Jclear"};
        for (String n : names) {
            Files.writeString(bin.resolve(n), n);
        }
        assertEquals(0, bim("init"), err);
        for (String n : names) {
            Files.writeString(bin.resolve(n), "changed " + n.length());
        }
        assertEquals(4, bim("check"), err);
        for (String line : out.split("\n")) {
            assertTrue(!line.contains("\u001b") && !line.startsWith("line"), "no forged or painted line: " + line);
        }
        assertTrue(out.contains("new\\nline") && out.contains("tab\\there") && out.contains("\\x1b[2Jclear"), out);
        assertEquals(4, bim("check", "--json"));
        java.util.Set<String> paths = new java.util.HashSet<>();
        for (String line : out.split("\n")) {
            JsonNode n = new ObjectMapper().readTree(line);
            paths.add(n.at("/file/path").asText());
        }
        for (String n : names) {
            assertTrue(paths.contains(bin.resolve(n).toString()), "exact in JSON: " + n);
        }
    }

    @Test
    void namesThatAreNotUtf8_areDistinctExactAndUsable() throws Exception {
        // Two names the JDK would both show as "a\uFFFDb", a truncated sequence, and a directory of its own.
        Tmpfs.python(bin, """
                import os, sys
                d = os.fsencode(sys.argv[1])
                for n in (b'a\\xffb', b'a\\xfeb', b'c\\xc3', b'ok'):
                    open(d + b'/' + n, 'wb').write(b'original ' + n)
                os.mkdir(d + b'/dir\\xff')
                open(d + b'/dir\\xff/inner', 'wb').write(b'inner')
                """);
        assertEquals(0, bim("init"), err);
        assertTrue(out.contains("recorded 5 files"), out);
        Tmpfs.python(bin, """
                import os, sys
                d = os.fsencode(sys.argv[1])
                open(d + b'/a\\xfeb', 'ab').write(b' tampered')
                open(d + b'/dir\\xff/inner', 'ab').write(b' tampered')
                """);
        assertEquals(4, bim("check", "--json"), err);
        java.util.Set<String> paths = new java.util.TreeSet<>();
        for (String line : out.split("\n")) {
            assertTrue(line.toLowerCase().contains("\\udcfe") || line.toLowerCase().contains("\\udcff"), line);
            paths.add(new ObjectMapper().readTree(line).at("/file/path").asText());
        }
        assertEquals(java.util.Set.of(bin + "/a\uDCFEb", bin + "/dir\uDCFF/inner"), paths);
        assertEquals(4, bim("check"), err);
        assertTrue(out.contains(bin + "/a\\xfeb") && out.contains(bin + "/dir\\xff/inner"), out);
        assertTrue(!out.contains("\uFFFD") && !out.contains("a\\xffb"), "only what changed, shown by its bytes: " + out);
        // The name as check printed it is accepted by update.
        assertEquals(0, bim("update", bin + "/a\\xfeb", bin + "/dir\\xff/inner"), err);
        assertEquals(0, bim("check"), out + err);
    }

    @Test
    void aPathNearPathMax_andAHundredThousandFilesInOneDirectory_areHandled() throws Exception {
        Path deep = bin;
        while (deep.toString().length() < 3800) {
            deep = deep.resolve("d".repeat(200));
        }
        Files.createDirectories(deep);
        Files.writeString(deep.resolve("deepfile"), "deep");
        Path many = Files.createDirectories(bin.resolve("many"));
        byte[] one = {1};
        for (int i = 0; i < 100_000; i++) {
            Files.write(many.resolve("f" + i), one);
        }
        long t0 = System.nanoTime();
        assertEquals(0, bim("init"), err);
        assertTrue(out.contains("recorded 100001 files"), out);
        Files.writeString(deep.resolve("deepfile"), "deeper");
        Files.delete(many.resolve("f77777"));
        assertEquals(2 | 4, bim("check"), err);
        assertTrue(out.contains("deepfile") && out.contains("f77777"), out);
        System.out.printf("hostile tree: init + check of 100,001 files (one at %d characters) in %d ms%n",
                deep.resolve("deepfile").toString().length(), (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    void fifoSocketDeviceAndSymlinkLoopsAndOutsideLinks_areRecordedNotOpened() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "cd \"$1\" && mkfifo fifo && mknod null c 1 3 && ln -s loop1 loop2 "
                + "&& ln -s loop2 loop1 && ln -s /etc/passwd outside && python3 -c \"import socket; "
                + "s=socket.socket(socket.AF_UNIX); s.bind('sock')\"", "sh", bin.toString()).redirectErrorStream(true)
                .start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
        assertEquals(0, bim("init"), err);
        assertEquals(0, bim("check", "--json"), out + err);
        String db = Files.readString(tmp.root.resolve("state/hashes.json"));
        assertTrue(db.contains("\"type\":\"fifo\"") && db.contains("\"type\":\"char_device\"")
                && db.contains("\"type\":\"socket\"") && db.contains("\"target\":\"/etc/passwd\""), db);
        assertTrue(!db.contains(sha256(Files.readAllBytes(Path.of("/etc/passwd")))),
                "the outside target is not hashed as if it were the link");
    }

    @Test
    void aMonitoredDirectoryReplacedByASymlinkToElsewhere_isReportedAndNotFollowed() throws Exception {
        Path sub = Files.createDirectories(bin.resolve("sub"));
        Files.writeString(sub.resolve("tool"), "the recorded tool");
        assertEquals(0, bim("init"), err);
        // The intruder moves the directory away and puts a link to a tree of their own in its place.
        Path elsewhere = Files.createDirectories(tmp.root.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("tool"), "the intruder's tool");
        Files.writeString(elsewhere.resolve("other"), "more of theirs");
        Files.move(sub, tmp.root.resolve("moved-away"));
        Files.createSymbolicLink(sub, elsewhere);

        assertEquals(ExitCode.ADDED | ExitCode.REMOVED, bim("check", "--json"), out + err);
        java.util.Map<String, JsonNode> found = new java.util.TreeMap<>();
        for (String line : out.strip().split("\n")) {
            JsonNode n = new ObjectMapper().readTree(line);
            found.put(n.path("file").path("path").asText(), n);
        }
        assertEquals(java.util.Set.of(bin + "/sub", bin + "/sub/tool"), found.keySet(), out);
        assertEquals("deleted", found.get(bin + "/sub/tool").path("event").path("action").asText(), out);
        JsonNode link = found.get(bin + "/sub");
        assertEquals("created", link.path("event").path("action").asText(), out);
        assertEquals("symlink", link.path("file").path("type").asText(), out);
        assertEquals(elsewhere.toString(), link.path("file").path("target_path").asText(), out);
        assertTrue(!out.contains(sha256("the intruder's tool".getBytes())), "the outside file is never hashed: " + out);
    }

    private static String sha256(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }
}
