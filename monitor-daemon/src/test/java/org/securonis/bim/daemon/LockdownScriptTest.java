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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * etc/lockdown.sh, run only ever with --dry-run (or refused as non-root): what it would do, that it
 * validates its arguments, and that the machine — interfaces, running services, process limits — is
 * exactly as before every test.
 */
class LockdownScriptTest {

    private static final Path SCRIPT = Path.of("").toAbsolutePath().resolve("../etc/lockdown.sh").normalize();
    private static final Path SYSTEMD_RUN = Path.of("/run/systemd/system");
    private static final long TIMEOUT_SECONDS = 60;

    @TempDir
    Path tmp;

    private Map<String, String> machineBefore;

    /** What the script's output and status were. */
    private record Result(int code, List<String> out, String err) {

        List<String> startingWith(String prefix) {
            return out.stream().filter(l -> l.startsWith(prefix)).collect(Collectors.toList());
        }

        String describe() {
            return "exit " + code + "\nstdout:\n" + String.join("\n", out) + "\nstderr:\n" + err;
        }
    }

    @BeforeEach
    void recordMachine() throws Exception {
        assumeTrue(Files.isRegularFile(SCRIPT), "no " + SCRIPT);
        assumeTrue(which("ip").isPresent(), "iproute2 (ip) is not installed");
        machineBefore = machineState();
    }

    @AfterEach
    void machineIsUnchanged() throws Exception {
        if (machineBefore != null) {
            assertEquals(machineBefore, machineState(), "the machine's state changed during a dry run");
        }
    }

    @Test
    void dryRun_printsShutdownOfEveryUpInterfaceButLoopback_andWritesNothing() throws Exception {
        Path state = tmp.resolve("state");
        Result r = script(Map.of(), "--dry-run", "--state-dir", state.toString(), "inc-1", "/tmp/report.json");

        assertEquals(0, r.code(), r.describe());
        for (String step : List.of("record", "network", "services", "processes", "mail")) {
            assertEquals(1, r.startingWith("lockdown: " + step + ": ").size(), "one " + step + " line\n" + r.describe());
        }
        List<String> downed = r.startingWith("dry-run: ip link set dev ");
        List<String> expected = upInterfacesButLoopback().stream()
                .map(i -> "dry-run: ip link set dev " + i + " down").collect(Collectors.toList());
        assertEquals(expected, downed, r.describe());
        assertTrue(r.out().stream().noneMatch(l -> l.matches("dry-run: ip link set dev lo( .*)?")), r.describe());
        assertTrue(r.out().stream().allMatch(l -> l.startsWith("lockdown: ") || l.startsWith("dry-run: ")),
                "every line is a step result or a command it would run\n" + r.describe());
        assertFalse(Files.exists(state), "dry run created " + state);
        assertFalse(Files.exists(tmp.resolve("inc-1")));
    }

    @Test
    void dryRun_asNonRoot_isAllowed_andWritesNothing() throws Exception {
        Path shared = worldReadableCopy();
        Path state = tmp.resolve("state");
        Result r = script(asNobody(), shared.resolve("lockdown.sh"), Map.of(),
                "--dry-run", "--state-dir", state.toString(), "inc-1", "/tmp/report.json");

        assertEquals(0, r.code(), r.describe());
        assertEquals(1, r.startingWith("lockdown: network: ").size(), r.describe());
        assertFalse(Files.exists(state));
    }

    @Test
    void dryRun_whileInLockdown_recordsAndMailsButDoesNotRepeatContainment() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("state"));
        Files.writeString(state.resolve("active"), "2024-01-02T03:04:05+0000 incident inc-0\n");
        Map<String, String> before = tree(state);

        Result r = script(Map.of(), "--dry-run", "--state-dir", state.toString(), "inc-1", "/tmp/report.json");

        assertEquals(0, r.code(), r.describe());
        String why = "skipped: already in lockdown since 2024-01-02T03:04:05+0000 incident inc-0";
        assertEquals(List.of("lockdown: network: " + why), r.startingWith("lockdown: network: "));
        assertEquals(List.of("lockdown: services: " + why), r.startingWith("lockdown: services: "));
        assertEquals(List.of("lockdown: processes: " + why), r.startingWith("lockdown: processes: "));
        assertEquals(List.of(), r.startingWith("dry-run: ip link set"), r.describe());
        assertEquals(1, r.startingWith("lockdown: record: ok: ").size(), r.describe());
        assertEquals(1, r.startingWith("lockdown: mail: ").size(), r.describe());
        assertEquals(before, tree(state), "the state directory changed");
    }

    @Test
    void dryRun_processes_limitsUserSliceAndChildrenOfSystemSliceButNotTheMonitor() throws Exception {
        Path cg = fakeCgroups();
        Map<String, String> before = tree(cg);
        Path state = tmp.resolve("state");

        Result r = script(Map.of("BIM_CGROUP_ROOT", cg.toString(),
                        "BIM_MONITOR_CGROUP", "/system.slice/binary-integrity-monitor.service"),
                "--dry-run", "--freeze-system", "--state-dir", state.toString(), "inc-1", "/tmp/report.json");

        assertEquals(0, r.code(), r.describe());
        assertEquals(List.of(
                "dry-run: echo 7 > " + cg + "/user.slice/pids.max",
                "dry-run: echo 3 > " + cg + "/system.slice/cups.service/pids.max"),
                r.startingWith("dry-run: echo ").stream().filter(l -> l.endsWith("/pids.max")).toList(),
                r.describe());
        assertEquals(List.of("lockdown: processes: ok: would limit (pids.max=pids.current): "
                + "user.slice=7 system.slice/cups.service=3"), r.startingWith("lockdown: processes: "));
        assertEquals(before, tree(cg), "a dry run wrote to the cgroup files");
        assertFalse(Files.exists(state));
    }

    @Test
    void dryRun_processes_whenTheMonitorRunsInUserSlice_limitsOnlyItsSiblings() throws Exception {
        Path cg = fakeCgroups();

        Result r = script(Map.of("BIM_CGROUP_ROOT", cg.toString(),
                        "BIM_MONITOR_CGROUP", "/user.slice/user-4343.slice/session-9999.scope"),
                "--dry-run", "--state-dir", tmp.resolve("state").toString(), "inc-1", "/tmp/report.json");

        assertEquals(0, r.code(), r.describe());
        assertEquals(List.of("lockdown: processes: ok: would limit (pids.max=pids.current): "
                + "user.slice/user-4242.slice=4 user.slice/user-4343.slice/user@4343.service=2; system.slice left alone"),
                r.startingWith("lockdown: processes: "), r.describe());
    }

    @Test
    void dryRun_processes_withoutCgroupV2Pids_isSkippedWithTheReason() throws Exception {
        Path cg = Files.createDirectory(tmp.resolve("cg"));
        Files.writeString(cg.resolve("cgroup.controllers"), "cpu memory\n");

        Result r = script(Map.of("BIM_CGROUP_ROOT", cg.toString()),
                "--dry-run", "--state-dir", tmp.resolve("state").toString(), "inc-1", "/tmp/report.json");

        assertEquals(0, r.code(), r.describe());
        assertEquals(List.of("lockdown: processes: skipped: cgroup v2 pids controller not available at " + cg),
                r.startingWith("lockdown: processes: "));
    }

    @Test
    void dryRun_services_stopsOnlyUnitsOutsideTheKeepListAndCore() throws Exception {
        Path bin = Files.createDirectory(tmp.resolve("bin"));
        Path calls = tmp.resolve("systemctl-calls");
        // A read-only stand-in: it answers list-units, and anything else is recorded and refused.
        stub(bin.resolve("systemctl"), """
                #!/bin/sh
                echo "$*" >> '%s'
                case "$1" in
                list-units) cat <<'EOF'
                binary-integrity-monitor.service loaded active running Binary Integrity Monitor
                cups.service loaded active running CUPS Scheduler
                dbus.service loaded active running D-Bus System Message Bus
                getty@tty1.service loaded active running Getty on tty1
                nginx.service loaded active running A high performance web server
                serial-getty@ttyS0.service loaded active running Serial Getty on ttyS0
                ssh.service loaded active running OpenBSD Secure Shell server
                systemd-journald.service loaded active running Journal Service
                tor@default.service loaded active running Anonymizing overlay network
                user@1000.service loaded active running User Manager for UID 1000
                EOF
                ;;
                *) exit 1 ;;
                esac
                """.formatted(calls));
        Path systemdRun = Files.createDirectory(tmp.resolve("systemd-run"));

        Result r = script(Map.of("PATH", bin + File.pathSeparator + System.getenv("PATH"),
                        "BIM_SYSTEMD_RUN", systemdRun.toString()),
                "--dry-run", "--state-dir", tmp.resolve("state").toString(), "inc-1", "/tmp/report.json");

        assertEquals(0, r.code(), r.describe());
        assertEquals(List.of("dry-run: systemctl stop -- cups.service nginx.service"),
                r.startingWith("dry-run: systemctl stop"), r.describe());
        assertEquals(List.of("lockdown: services: ok: would stop: cups.service nginx.service; kept: "
                + "binary-integrity-monitor.service dbus.service getty@tty1.service serial-getty@ttyS0.service "
                + "ssh.service systemd-journald.service tor@default.service user@1000.service"),
                r.startingWith("lockdown: services: "));
        for (String call : Files.readAllLines(calls)) {
            assertTrue(call.startsWith("list-units "), "a dry run called systemctl " + call);
        }
    }

    @Test
    void releaseDryRun_printsWhatItWouldRestore_andChangesNothing() throws Exception {
        Path cg = fakeCgroups();
        Path state = Files.createDirectory(tmp.resolve("state"));
        Files.writeString(state.resolve("active"), "2024-01-02T03:04:05+0000 incident inc-0\n");
        Files.writeString(state.resolve("interfaces-down"), "bimtest0\n");
        Files.writeString(state.resolve("services-stopped"), "cups.service\n");
        Files.writeString(state.resolve("pids-max"), cg + "/user.slice/pids.max\t1234\n"
                + "/etc/passwd\t1\n");
        Map<String, String> before = new TreeMap<>(tree(state));
        before.putAll(tree(cg));

        Result r = script(Map.of("BIM_CGROUP_ROOT", cg.toString()), "--dry-run", "--state-dir", state.toString(), "release");

        assertEquals(0, r.code(), r.describe());
        assertTrue(r.out().contains("dry-run: echo 1234 > " + cg + "/user.slice/pids.max"), r.describe());
        assertTrue(r.out().contains("dry-run: ip link set dev bimtest0 up"), r.describe());
        assertTrue(r.out().stream().noneMatch(l -> l.contains("> /etc/passwd")),
                "restores only pids.max files under the cgroup root\n" + r.describe());
        assertEquals(List.of("lockdown: services: skipped: not restarted automatically; stopped were: cups.service "
                + "(start with: systemctl start cups.service)"), r.startingWith("lockdown: services: "));
        assertTrue(r.out().contains("dry-run: rm -f -- " + state + "/active"), r.describe());
        Map<String, String> after = new TreeMap<>(tree(state));
        after.putAll(tree(cg));
        assertEquals(before, after, "a dry-run release changed files");
    }

    @Test
    void releaseDryRun_withoutState_skipsEverything() throws Exception {
        Path state = tmp.resolve("state");

        Result r = script(Map.of(), "--dry-run", "--state-dir", state.toString(), "release");

        assertEquals(0, r.code(), r.describe());
        assertEquals(List.of(
                "lockdown: processes: skipped: no process limits recorded",
                "lockdown: network: skipped: no interfaces recorded as brought down",
                "lockdown: services: skipped: no services recorded as stopped",
                "lockdown: release: skipped: no lockdown was active"), r.out());
        assertFalse(Files.exists(state));
    }

    static Stream<List<String>> badArguments() {
        return Stream.of(
                List.of("--dry-run", "../x", "/tmp/report.json"),
                List.of("--dry-run", "..", "/tmp/report.json"),
                List.of("--dry-run", "inc 1", "/tmp/report.json"),
                List.of("--dry-run", "x".repeat(65), "/tmp/report.json"),
                List.of("--dry-run", "inc-1", "tmp/report.json"),
                List.of("--dry-run", "inc-1"),
                List.of("--dry-run"),
                List.of(),
                List.of("--dry-run", "inc-1", "/tmp/report.json", "extra"),
                List.of("--dry-run", "release", "extra"),
                List.of("--dry-run", "--bogus", "inc-1", "/tmp/report.json"),
                List.of("--dry-run", "--state-dir"),
                List.of("--dry-run", "--state-dir", "relative", "inc-1", "/tmp/report.json"),
                List.of("--dry-run", "--admin", "-oQ/tmp/x", "inc-1", "/tmp/report.json"),
                List.of("--dry-run", "--admin", "root\nBcc: x@y", "inc-1", "/tmp/report.json"),
                List.of("--dry-run", "--keep", "ssh;reboot", "inc-1", "/tmp/report.json"),
                // Usage errors come before the root check, so these exit 2 even without --dry-run.
                List.of("../x", "/tmp/report.json"));
    }

    @ParameterizedTest
    @MethodSource("badArguments")
    void badArguments_exit2WithAMessage_andDoNothing(List<String> args) throws Exception {
        Result r = script(Map.of(), args.toArray(String[]::new));

        assertEquals(2, r.code(), r.describe());
        assertTrue(r.err().contains("lockdown: error: "), r.describe());
        assertEquals(List.of(), r.out(), r.describe());
    }

    @Test
    void incidentIdOf64Characters_isAccepted() throws Exception {
        String id = "a".repeat(64);
        Result r = script(Map.of(), "--dry-run", "--state-dir", tmp.resolve("state").toString(), id, "/tmp/report.json");

        assertEquals(0, r.code(), r.describe());
        assertTrue(r.out().contains("dry-run: mkdir -p -- " + tmp.resolve("state").resolve(id)), r.describe());
    }

    @Test
    void realRun_asNonRoot_isRefusedBeforeAnything() throws Exception {
        Path shared = worldReadableCopy();
        Path calls = Files.createDirectory(shared.resolve("calls"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(calls, PosixFilePermissions.fromString("rwxrwxrwx"));
        // Should the refusal ever break, every command that could change something is a recording stub.
        Path bin = Files.createDirectory(shared.resolve("bin"));
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String name : List.of("ip", "systemctl", "sendmail", "ss", "ps", "who", "flock", "mkdir", "timeout")) {
            stub(bin.resolve(name), "#!/bin/sh\necho \"$0 $*\" >> '" + calls + "/" + name + "'\nexit 1\n");
        }
        Path cg = Files.createDirectory(tmp.resolve("cg"));
        Path state = tmp.resolve("state");

        Result r = script(asNobody(), shared.resolve("lockdown.sh"),
                Map.of("PATH", bin + ":/usr/bin:/bin", "BIM_SENDMAIL", bin.resolve("sendmail").toString(),
                        "BIM_CGROUP_ROOT", cg.toString()),
                "--state-dir", state.toString(), "inc-1", "/tmp/report.json");

        assertEquals(1, r.code(), r.describe());
        assertTrue(r.err().contains("must run as root"), r.describe());
        assertEquals(List.of(), r.out(), r.describe());
        try (Stream<Path> s = Files.list(calls)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).toList(), "commands ran");
        }
        assertFalse(Files.exists(state));
    }

    // -----------------------------------------------------------------------------------------------

    /** Runs the script under test with bash, with the given extra environment. */
    private Result script(Map<String, String> env, String... args) throws Exception {
        return script(List.of(), SCRIPT, env, args);
    }

    /** Runs {@code script} with bash, after {@code prefix} (a uid switch), waiting at most a minute. */
    private Result script(List<String> prefix, Path script, Map<String, String> env, String... args)
            throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(which("bash").orElseThrow().toString());
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // The script's own defaults, not whatever the build environment carries.
        pb.environment().keySet().removeIf(k -> k.startsWith("BIM_"));
        pb.environment().put("BIM_SENDMAIL", tmp.resolve("no-sendmail").toString());
        pb.environment().put("LC_ALL", "C");
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("lockdown.sh did not finish within " + TIMEOUT_SECONDS + " s: " + cmd);
        }
        return new Result(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** The command prefix that drops root to nobody, or none when the test already runs unprivileged. */
    private static List<String> asNobody() throws IOException {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (uid != 0) {
            return List.of();
        }
        Optional<Path> setpriv = which("setpriv");
        assumeTrue(setpriv.isPresent(), "setpriv (util-linux) is needed to drop root");
        return List.of(setpriv.get().toString(), "--reuid=65534", "--regid=65534", "--clear-groups");
    }

    /** A copy of the script in a directory that nobody can read (the temp dir itself is 0700). */
    private Path worldReadableCopy() throws IOException {
        Path dir = Files.createTempDirectory("bim-lockdown-test");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path copy = Files.copy(SCRIPT, dir.resolve("lockdown.sh"));
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
        shared.add(dir);
        return dir;
    }

    private final List<Path> shared = new ArrayList<>();

    @AfterEach
    void removeShared() throws IOException {
        for (Path dir : shared) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /**
     * A cgroup v2 tree with pids: user.slice (7 tasks: user-4242.slice 4, user-4343.slice 3, of which its
     * session 1 and user@4343.service 2) and system.slice (cups 3, the monitor 2).
     */
    private Path fakeCgroups() throws IOException {
        Path cg = Files.createDirectory(tmp.resolve("cg"));
        Files.writeString(cg.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        Map<String, Integer> current = Map.of(
                "user.slice", 7,
                "user.slice/user-4242.slice", 4,
                "user.slice/user-4343.slice", 3,
                "user.slice/user-4343.slice/session-9999.scope", 1,
                "user.slice/user-4343.slice/user@4343.service", 2,
                "system.slice", 5,
                "system.slice/cups.service", 3,
                "system.slice/binary-integrity-monitor.service", 2);
        for (Map.Entry<String, Integer> e : current.entrySet()) {
            Path d = Files.createDirectories(cg.resolve(e.getKey()));
            Files.writeString(d.resolve("pids.current"), e.getValue() + "\n");
            Files.writeString(d.resolve("pids.max"), "max\n");
        }
        return cg;
    }

    /** Every regular file under {@code root} with its content. */
    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                m.put(p.toString(), Files.isRegularFile(p) ? Files.readString(p) : "<dir>");
            }
        }
        return m;
    }

    /** The names of the interfaces the script must bring down: UP, and not loopback, in ip's order. */
    private static List<String> upInterfacesButLoopback() throws Exception {
        List<String> names = new ArrayList<>();
        for (String line : run("ip", "-o", "link", "show").split("\n")) {
            // "4: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 ..." ("veth0@if5:" for a veth)
            String[] f = line.trim().split("\\s+");
            if (f.length < 3) {
                continue;
            }
            String name = f[1].replaceAll(":$", "").replaceAll("@.*$", "");
            List<String> flags = List.of(f[2].replaceAll("^<|>$", "").split(","));
            if (!name.equals("lo") && !flags.contains("LOOPBACK") && flags.contains("UP")) {
                names.add(name);
            }
        }
        return names;
    }

    /** What a lockdown would change: the links, running services, and the pids limits of the slices. */
    private static Map<String, String> machineState() throws Exception {
        Map<String, String> m = new TreeMap<>();
        m.put("ip -o link", run("ip", "-o", "link"));
        if (Files.isDirectory(SYSTEMD_RUN) && which("systemctl").isPresent()) {
            m.put("running services", run("systemctl", "list-units", "--type=service", "--state=running",
                    "--no-legend", "--no-pager", "--plain"));
        }
        for (String slice : List.of("user.slice", "system.slice")) {
            Path max = Path.of("/sys/fs/cgroup", slice, "pids.max");
            if (Files.isReadable(max)) {
                m.put(max.toString(), Files.readString(max));
            }
        }
        return m;
    }

    /** Runs a read-only command and returns its standard output. */
    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish");
        }
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + new String(out, StandardCharsets.UTF_8));
        return new String(out, StandardCharsets.UTF_8);
    }

    /** An executable shell script at {@code file}. */
    private static void stub(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The first executable called {@code name} on this process's PATH. */
    private static Optional<Path> which(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
