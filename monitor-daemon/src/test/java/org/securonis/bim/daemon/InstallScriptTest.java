package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etc/install.sh, only ever run with --prefix pointing into a temporary directory (or, as non-root without
 * --prefix, to see it refused): the installed tree and its modes, idempotence, the configuration never
 * overwritten, --uninstall keeping configuration and evidence; and the shipped unit and apt snippet.
 *
 * <p>Modes expected: state directories 0700; launcher and lockdown script 0755; jar, unit and apt snippet 0644;
 * the configuration 0600 (it names what is excluded from monitoring: root-only, like the daemon).
 */
class InstallScriptTest {

    private static final Path ETC = Path.of("").toAbsolutePath().resolve("../etc").normalize();
    private static final Path SCRIPT = ETC.resolve("install.sh");
    private static final long TIMEOUT_SECONDS = 120;
    private static final String UNIT = "/etc/systemd/system/binary-integrity-monitor.service";
    private static final String APT = "/etc/apt/apt.conf.d/99binary-integrity-monitor";
    private static final String CONFIG = "/etc/binary_integrity_monitor.toml";
    private static final List<String> STATE_DIRS = List.of("/var/lib/binary_integrity",
            "/var/lib/binary_integrity/backup", "/var/log/binary_integrity", "/var/quarantine/binaries");
    /** Installed path, source file (relative to etc/, null = the jar), mode. */
    private static final List<String[]> FILES = List.of(
            new String[] {"/usr/local/lib/bim/bim.jar", null, "rw-r--r--"},
            new String[] {"/usr/local/lib/bim/bim-jit.json", "bim-jit.json", "rw-r--r--"},
            new String[] {"/usr/local/bin/bim", "bim", "rwxr-xr-x"},
            new String[] {"/usr/local/bin/lockdown.sh", "lockdown.sh", "rwxr-xr-x"},
            new String[] {UNIT, "binary-integrity-monitor.service", "rw-r--r--"},
            new String[] {APT, "apt/99binary-integrity-monitor", "rw-r--r--"},
            new String[] {CONFIG, "binary_integrity_monitor.toml", "rw-------"});

    @TempDir
    Path tmp;

    private Path root;
    private Path jar;

    private record Result(int code, String out, String err) {

        List<String> lines() {
            return out.lines().collect(Collectors.toList());
        }

        String describe() {
            return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Files.isRegularFile(SCRIPT), "no " + SCRIPT);
        assumeTrue(isRoot(), "these tests stage a root-owned tree: they need to run as root");
        root = tmp.resolve("root");
        jar = tmp.resolve("bim.jar");
        // mvn test runs before package: a stand-in for monitor-daemon/target/bim.jar.
        Files.writeString(jar, "not a real jar: InstallScriptTest\n");
    }

    @Test
    void install_createsTheTreeWithTheDocumentedModes() throws Exception {
        Result r = install();
        assertEquals(0, r.code(), r.describe());

        for (String[] f : FILES) {
            Path p = staged(f[0]);
            assertTrue(Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS), f[0] + " missing\n" + r.describe());
            assertEquals(f[2], perms(p), "mode of " + f[0]);
            assertEquals(0, uid(p), "owner of " + f[0]);
            Path source = f[1] == null ? jar : ETC.resolve(f[1]);
            assertEquals(-1L, Files.mismatch(source, p), f[0] + " differs from " + source);
        }
        for (String d : STATE_DIRS) {
            Path p = staged(d);
            assertTrue(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS), d + " missing\n" + r.describe());
            assertEquals("rwx------", perms(p), "mode of " + d);
            assertEquals(0, uid(p), "owner of " + d);
        }
        Path log4j = staged("/usr/local/lib/bim/log4j2.xml");
        if (Files.exists(ETC.resolve("log4j2.xml"))) {
            assertEquals("rw-r--r--", perms(log4j), "mode of log4j2.xml");
        } else {
            assertFalse(Files.exists(log4j), "log4j2.xml installed although etc/ has none");
            assertTrue(r.out().contains("skipped"), "says it skipped log4j2.xml\n" + r.describe());
        }
        // With --prefix, systemd is never touched.
        assertFalse(r.out().contains("daemon-reload") || r.err().contains("daemon-reload"), r.describe());
        // Nothing but the tree above (and its parent directories).
        try (Stream<Path> all = Files.walk(root)) {
            List<String> unexpected = all.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> "/" + root.relativize(p))
                    .filter(p -> FILES.stream().noneMatch(f -> f[0].equals(p)))
                    .collect(Collectors.toList());
            assertEquals(List.of(), unexpected, "files that were not expected under the prefix");
        }
    }

    @Test
    void secondRun_changesNothing_andSaysSo() throws Exception {
        assertEquals(0, install().code());
        Map<String, String> before = snapshot(root);

        Result r = install();

        assertEquals(0, r.code(), r.describe());
        assertTrue(r.out().contains("nothing changed"), r.describe());
        for (String line : r.lines()) {
            assertFalse(line.matches("^(installed|updated|created|fixed|removed) .*"), "a change: " + line);
        }
        assertEquals(before, snapshot(root), "a second run touched the tree (mtime, ctime, inode, mode or size)");
    }

    @Test
    void anEditedConfig_isNeverOverwritten_theShippedOneGoesBesideItAsDist() throws Exception {
        assertEquals(0, install().code());
        Path config = staged(CONFIG);
        String edited = Files.readString(config).replace("interval = 3600", "interval = 600")
                + "# edited by the admin\n";
        Files.writeString(config, edited);

        Result r = install();

        assertEquals(0, r.code(), r.describe());
        assertEquals(edited, Files.readString(config), "the edited configuration was changed");
        Path dist = staged(CONFIG + ".dist");
        assertEquals(-1L, Files.mismatch(ETC.resolve("binary_integrity_monitor.toml"), dist), "the .dist copy");
        assertEquals("rw-------", perms(dist));
        assertTrue(r.out().contains(CONFIG + ".dist"), "names the .dist file\n" + r.describe());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("kept") && l.contains(CONFIG)), r.describe());

        // And once the .dist is there, the next run is quiet again.
        Map<String, String> before = snapshot(root);
        Result again = install();
        assertEquals(0, again.code(), again.describe());
        assertTrue(again.out().contains("nothing changed"), again.describe());
        assertEquals(before, snapshot(root));
        assertEquals(edited, Files.readString(config));
    }

    @Test
    void aConfigThatExistedBeforeTheFirstInstall_isKept() throws Exception {
        Path config = staged(CONFIG);
        Files.createDirectories(config.getParent());
        Files.writeString(config, "[monitor]\ninterval = 60\n");

        Result r = install();

        assertEquals(0, r.code(), r.describe());
        assertEquals("[monitor]\ninterval = 60\n", Files.readString(config));
        assertTrue(Files.isRegularFile(staged(CONFIG + ".dist")), r.describe());
    }

    @Test
    void existingStateDirs_getTheirModeFixed_andKeepTheirContents() throws Exception {
        Path state = staged("/var/lib/binary_integrity");
        Files.createDirectories(state);
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(state.resolve("hashes.json"), "{\"format\":\"bim-baseline\"}\n");
        Path quarantine = staged("/var/quarantine/binaries");
        Files.createDirectories(quarantine);
        Files.setPosixFilePermissions(quarantine, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(quarantine.resolve("capture"), "evidence");

        Result r = install();

        assertEquals(0, r.code(), r.describe());
        assertEquals("rwx------", perms(state));
        assertEquals("rwx------", perms(quarantine));
        assertEquals("{\"format\":\"bim-baseline\"}\n", Files.readString(state.resolve("hashes.json")));
        assertEquals("evidence", Files.readString(quarantine.resolve("capture")));
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("fixed") && l.contains("/var/lib/binary_integrity")),
                r.describe());
    }

    @Test
    void aSymlinkedStateDir_isRefused() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createDirectories(staged("/var/log"));
        Files.createSymbolicLink(staged("/var/log/binary_integrity"), elsewhere);

        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwxr-xr-x"));

        Result r = install();

        assertEquals(1, r.code(), r.describe());
        assertTrue(r.err().contains("/var/log/binary_integrity is a symlink"), r.describe());
        assertEquals("rwxr-xr-x", perms(elsewhere), "the symlink's target was chmod'ed");
        // Refused before anything was written.
        assertFalse(Files.exists(staged("/usr/local/bin/bim")), r.describe());
        assertFalse(Files.exists(staged(UNIT)), r.describe());
    }

    @Test
    void uninstall_removesTheProgram_butKeepsConfigBaselineAndEvidence() throws Exception {
        assertEquals(0, install().code());
        Map<String, String> keep = new TreeMap<>();
        keep.put(CONFIG, "# the admin's configuration\n");
        keep.put("/var/lib/binary_integrity/hashes.json", "{\"format\":\"bim-baseline\"}\n");
        keep.put("/var/lib/binary_integrity/state.json", "{}\n");
        keep.put("/var/lib/binary_integrity/backup/ab/abcdef", "known-good copy");
        keep.put("/var/log/binary_integrity/binary_integrity_alerts.log", "{\"event.kind\":\"alert\"}\n");
        keep.put("/var/log/binary_integrity/incident-1.json", "{}\n");
        keep.put("/var/log/binary_integrity/forensics-1.tar.gz", "archive");
        keep.put("/var/quarantine/binaries/20240101T000000Z-abc", "tampered bytes");
        for (Map.Entry<String, String> e : keep.entrySet()) {
            Files.createDirectories(staged(e.getKey()).getParent());
            Files.writeString(staged(e.getKey()), e.getValue());
        }

        Result r = run(List.of("bash", SCRIPT.toString(), "--prefix", root.toString(), "--uninstall"));

        assertEquals(0, r.code(), r.describe());
        for (String[] f : FILES) {
            if (!f[0].equals(CONFIG)) {
                assertFalse(Files.exists(staged(f[0]), LinkOption.NOFOLLOW_LINKS), f[0] + " still there");
            }
        }
        assertFalse(Files.exists(staged("/usr/local/lib/bim")), "the empty /usr/local/lib/bim stays");
        for (Map.Entry<String, String> e : keep.entrySet()) {
            assertEquals(e.getValue(), Files.readString(staged(e.getKey())), e.getKey() + " was not kept");
        }
        for (String d : STATE_DIRS) {
            assertTrue(Files.isDirectory(staged(d)), d + " was removed");
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("kept") && l.endsWith(d)), "lists " + d
                    + " as kept\n" + r.describe());
        }
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("kept") && l.endsWith(CONFIG)), r.describe());

        Result again = run(List.of("bash", SCRIPT.toString(), "--prefix", root.toString(), "--uninstall"));
        assertEquals(0, again.code(), again.describe());
        assertTrue(again.out().contains("nothing changed"), again.describe());
    }

    @Test
    void nonRootWithoutPrefix_isRefused() throws Exception {
        Optional<Path> setpriv = which("setpriv");
        assumeTrue(setpriv.isPresent(), "setpriv (util-linux) is not installed");
        List<String> targets = FILES.stream().map(f -> f[0]).collect(Collectors.toList());
        Map<String, Boolean> before = existence(targets);

        // No --prefix: this must be refused before anything. (As nobody it could not write to / anyway,
        // and the jar in the root-only temporary directory is unreadable: a broken check still installs nothing.)
        Result r = run(List.of(setpriv.get().toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
                "bash", SCRIPT.toString(), "--jar", jar.toString()));

        assertEquals(1, r.code(), r.describe());
        assertTrue(r.err().contains("must run as root"), r.describe());
        assertEquals(before, existence(targets), "the refused run changed the real system");
    }

    @Test
    void nonRootWithPrefix_stagesATreeOwnedByTheCaller() throws Exception {
        Optional<Path> setpriv = which("setpriv");
        assumeTrue(setpriv.isPresent(), "setpriv (util-linux) is not installed");
        // nobody must reach the prefix and the jar: a world-traversable temp dir, a stage owned by nobody.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        Path stage = Files.createDirectory(tmp.resolve("nobody"));
        Files.setAttribute(stage, "unix:uid", 65534);
        Files.setAttribute(stage, "unix:gid", 65534);
        Path nobodyJar = Files.copy(jar, stage.resolve("bim.jar"));
        Files.setPosixFilePermissions(nobodyJar, PosixFilePermissions.fromString("rw-r--r--"));
        Path staged = stage.resolve("root");

        Result r = run(List.of(setpriv.get().toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
                "bash", SCRIPT.toString(), "--prefix", staged.toString(), "--jar", nobodyJar.toString()));

        assertEquals(0, r.code(), r.describe());
        Path launcher = staged.resolve("usr/local/bin/bim");
        assertEquals("rwxr-xr-x", perms(launcher));
        assertEquals(65534, uid(launcher));
        assertEquals("rwx------", perms(staged.resolve("var/lib/binary_integrity")));
    }

    @Test
    void badArguments_areRefusedBeforeAnythingIsWritten() throws Exception {
        Result r = run(List.of("bash", SCRIPT.toString(), "--prefix", root.toString(), "--no-such-option"));
        assertEquals(2, r.code(), r.describe());
        assertFalse(Files.exists(root), "a refused run created the prefix");

        Result noJar = run(List.of("bash", SCRIPT.toString(), "--prefix", root.toString(), "--jar",
                tmp.resolve("missing.jar").toString()));
        assertEquals(1, noJar.code(), noJar.describe());
        assertTrue(noJar.err().contains("mvn -B -DskipTests package"), "says how to build the jar\n"
                + noJar.describe());
    }

    @Test
    void installedUnit_passesSystemdAnalyzeVerify() throws Exception {
        Optional<Path> analyze = which("systemd-analyze");
        assumeTrue(analyze.isPresent(), "systemd-analyze is not installed: the unit is not verified");
        assertEquals(0, install().code());

        // The unit is verified where it was staged; ExecStart's /usr/local/bin/bim exists only on a host where
        // bim is installed, so that one "not executable" complaint is accepted when the host has no bim.
        Result r = run(List.of(analyze.get().toString(), "verify", "--man=no", staged(UNIT).toString()));

        String accepted = "Command /usr/local/bin/bim is not executable: No such file or directory";
        boolean hostHasBim = Files.isExecutable(Path.of("/usr/local/bin/bim"));
        List<String> complaints = (r.out() + r.err()).lines()
                .filter(l -> !l.isBlank())
                .filter(l -> hostHasBim || !l.endsWith(accepted))
                .collect(Collectors.toList());
        assertEquals(List.of(), complaints, r.describe());
        if (hostHasBim) {
            assertEquals(0, r.code(), r.describe());
        }
    }

    @Test
    void unit_declaresTheServiceContract() throws Exception {
        Map<String, List<String>> unit = parseUnit(ETC.resolve("binary-integrity-monitor.service"));
        assertEquals(List.of("notify"), unit.get("Type"));
        assertEquals(List.of("on-failure"), unit.get("Restart"));
        assertEquals(List.of("/usr/local/bin/bim daemon --config /etc/binary_integrity_monitor.toml"),
                unit.get("ExecStart"));
        assertEquals(List.of("/bin/kill -HUP $MAINPID"), unit.get("ExecReload"));
        assertEquals(List.of("yes"), unit.get("NoNewPrivileges"));
        assertEquals(List.of("strict"), unit.get("ProtectSystem"));
        String rw = String.join(" ", unit.get("ReadWritePaths"));
        for (String d : List.of("/var/lib/binary_integrity", "/var/log/binary_integrity", "/var/quarantine/binaries")) {
            assertTrue((" " + rw + " ").contains(" " + d + " "), "ReadWritePaths has " + d);
        }
        assertTrue(unit.get("Environment").contains("LANG=C.UTF-8"));
        // lockdown.sh writes pids.max under /sys/fs/cgroup: the cgroup tree must stay writable.
        assertFalse(unit.containsKey("ProtectControlGroups"), "ProtectControlGroups must stay off");
        assertFalse(unit.containsKey("ProtectKernelTunables"), "ProtectKernelTunables makes /sys/fs/cgroup read-only");
        // Restoring sudo/su with their set-id bits, and the JVM's JIT.
        assertFalse(unit.containsKey("RestrictSUIDSGID"));
        assertFalse(unit.containsKey("MemoryDenyWriteExecute"));
        List<String> caps = List.of(String.join(" ", unit.get("CapabilityBoundingSet")).split("\\s+"));
        for (String cap : List.of("CAP_DAC_READ_SEARCH", "CAP_CHOWN", "CAP_FOWNER", "CAP_FSETID", "CAP_NET_ADMIN")) {
            assertTrue(caps.contains(cap), "CapabilityBoundingSet has " + cap);
        }
        assertFalse(caps.contains("CAP_SYS_ADMIN"), "CAP_SYS_ADMIN is not needed");
        List<String> families = List.of(String.join(" ", unit.get("RestrictAddressFamilies")).split("\\s+"));
        assertTrue(families.contains("AF_UNIX"), "systemctl stop and sd_notify need AF_UNIX");
        assertTrue(families.contains("AF_NETLINK"), "ip link set down needs AF_NETLINK");
        assertEquals(List.of("143"), unit.get("SuccessExitStatus"));
    }

    @Test
    void aptSnippet_parses_andCanNeverMakeDpkgFail() throws Exception {
        Path snippet = ETC.resolve("apt/99binary-integrity-monitor");
        Optional<Path> aptConfig = which("apt-config");
        assumeTrue(aptConfig.isPresent(), "apt-config is not installed: the snippet's syntax is not checked");
        Result dump = run(List.of(aptConfig.get().toString(), "dump", "--no-empty", "-c", snippet.toString()));
        assertEquals(0, dump.code(), dump.describe());
        String pre = hook(dump, "DPkg::Pre-Invoke");
        String post = hook(dump, "DPkg::Post-Invoke");
        assertTrue(pre.contains("bim maintenance begin --reason dpkg"), pre);
        assertTrue(post.contains("bim maintenance end"), post);

        // Run the hooks the way apt does (sh -c) against a bim that is absent, and one that fails.
        Path fake = tmp.resolve("fake-bim");
        Files.writeString(fake, "#!/bin/sh\necho \"fake bim $*\"\nexit 17\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String cmd : List.of(pre, post)) {
            Result absent = run(List.of("sh", "-c", cmd.replace("/usr/local/bin/bim", tmp.resolve("absent").toString())));
            assertEquals(0, absent.code(), "without bim: " + absent.describe());
            Result failing = run(List.of("sh", "-c", cmd.replace("/usr/local/bin/bim", fake.toString())));
            assertEquals(0, failing.code(), "with a failing bim: " + failing.describe());
            assertTrue(failing.out().contains("fake bim maintenance"), "the hook ran bim\n" + failing.describe());
        }
    }

    @Test
    void installScript_isShellcheckClean() throws Exception {
        Optional<Path> shellcheck = which("shellcheck");
        assumeTrue(shellcheck.isPresent(), "shellcheck is not installed");
        Result r = run(List.of(shellcheck.get().toString(), SCRIPT.toString()));
        assertEquals(0, r.code(), r.describe());
    }

    // -----------------------------------------------------------------------------------------------------

    private Result install() throws Exception {
        return run(List.of("bash", SCRIPT.toString(), "--prefix", root.toString(), "--jar", jar.toString()));
    }

    private Path staged(String systemPath) {
        return root.resolve(systemPath.substring(1));
    }

    /** The single command string apt-config reports for KEY (a list with one entry). */
    private static String hook(Result dump, String key) {
        // The dump holds the host's own configuration too (other packages' hooks): only ours.
        List<String> values = dump.lines().stream()
                .filter(l -> l.startsWith(key + ":: ") && l.contains("bim maintenance"))
                .map(l -> l.substring(key.length() + 3).trim())
                .map(v -> v.substring(1, v.length() - 2))   // "...";
                .collect(Collectors.toList());
        assertEquals(1, values.size(), key + " in\n" + dump.describe());
        return values.get(0);
    }

    /** KEY -> values (in order) of every "KEY=value" line of a unit file; comments and sections skipped. */
    private static Map<String, List<String>> parseUnit(Path unit) throws IOException {
        Map<String, List<String>> keys = new TreeMap<>();
        for (String line : Files.readAllLines(unit, StandardCharsets.UTF_8)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";") || l.startsWith("[")) {
                continue;
            }
            int eq = l.indexOf('=');
            assertTrue(eq > 0, "not KEY=value: " + line);
            keys.computeIfAbsent(l.substring(0, eq).strip(), k -> new ArrayList<>()).add(l.substring(eq + 1).strip());
        }
        return keys;
    }

    /** Every entry under DIR with what a write would change: inode, mtime, ctime, mode, size, owner. */
    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Map<String, Object> a = Files.readAttributes(p, "unix:ino,lastModifiedTime,ctime,mode,size,uid,gid",
                        LinkOption.NOFOLLOW_LINKS);
                out.put(dir.relativize(p).toString(), new TreeMap<>(a).toString());
            }
        }
        return out;
    }

    private static Map<String, Boolean> existence(List<String> paths) {
        Map<String, Boolean> out = new TreeMap<>();
        for (String p : paths) {
            out.put(p, Files.exists(Path.of(p), LinkOption.NOFOLLOW_LINKS));
        }
        return out;
    }

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean isRoot() {
        try {
            return uid(Path.of("/proc/self")) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<Path> which(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private Result run(List<String> argv) throws Exception {
        Path outDir = Files.createDirectories(tmp.resolve("out"));
        Path out = Files.createTempFile(outDir, "stdout", ".txt");
        Path err = Files.createTempFile(outDir, "stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("LANG", "C.UTF-8");
        pb.environment().put("LC_ALL", "C.UTF-8");
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            fail(argv + " did not finish within " + TIMEOUT_SECONDS + " s");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
