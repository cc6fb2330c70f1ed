package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    private Path write(String toml) throws IOException {
        Path p = fs.getPath("/etc/bim.toml");
        Files.createDirectories(p.getParent());
        Files.writeString(p, toml);
        return p;
    }

    private List<String> refusal(String toml) throws IOException {
        Path p = write(toml);
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(p)).problems();
    }

    private void assertRefused(String toml, String expected) throws IOException {
        List<String> problems = refusal(toml);
        assertEquals(1, problems.size(), "one problem expected, got " + problems);
        assertEquals(expected, problems.get(0));
    }

    @Test
    void emptyFile_givesEveryDefault() throws Exception {
        Config c = ConfigLoader.load(write(""));
        Config d = ConfigLoader.defaults(fs);
        assertEquals(new Config(c.source(), d.monitor(), d.binaries(), d.lockdown(), d.response(), d.maintenance()), c);
        assertEquals(3600, c.monitor().interval());
        assertEquals(fs.getPath("/var/lib/binary_integrity/hashes.json"), c.monitor().databasePath());
        assertEquals(List.of("/usr/bin/sudo", "/usr/bin/su", "/usr/sbin/sshd", "/usr/local/bin/bim",
                "/usr/local/lib/bim/bim.jar", "/usr/local/lib/bim/bim.jsa", "/usr/local/lib/bim/bim-jit.json",
                "/usr/local/bin/lockdown.sh", "/etc/binary_integrity_monitor.toml",
                "/etc/binary_integrity_monitor.key", "/etc/binary_integrity_monitor.pub",
                "/etc/systemd/system/binary-integrity-monitor.service"),
                c.binaries().criticalBinaries(), "the monitor's own files are critical by default");
        assertTrue(c.lockdown().enableLockdown());
        assertFalse(c.lockdown().autoRestoreBackup());
    }

    @Test
    void everyKey_isRead() throws Exception {
        Config c = ConfigLoader.load(write("""
                [monitor]
                interval = 60
                quarantine_dir = "/q"
                database_path = "/state//db.json"
                log_dir = "/log"
                log_level = "debug"
                max_workers = 3
                lockdown_script = "/bin/lock"
                key_path = "/k"
                [binaries]
                critical_binaries = ["/bin/su"]
                system_binaries = ["/bin/*", "/sbin/**"]
                include_libraries = false
                critical_libraries = ["/lib/**/libc.so*"]
                exclude = ["/bin/x*"]
                [lockdown]
                enable_lockdown = false
                auto_restore_backup = true
                backup_dir = "/b"
                admin_email = "admin@example.org"
                """));
        assertEquals(new Config.Monitor(60, fs.getPath("/q"), fs.getPath("/state/db.json"), fs.getPath("/log"),
                "DEBUG", 3, fs.getPath("/bin/lock"), fs.getPath("/k"), 0, null), c.monitor());
        assertEquals(new Config.Binaries(List.of("/bin/su"), List.of("/bin/*", "/sbin/**"), false,
                List.of("/lib/**/libc.so*"), List.of("/bin/x*")), c.binaries());
        assertEquals(new Config.Lockdown(false, true, fs.getPath("/b"), "admin@example.org", 120,
                ConfigLoader.DEFAULT_KEEP_SERVICES), c.lockdown());
        assertEquals(3, c.monitor().workers());
        assertEquals(fs.getPath("/state"), c.monitor().stateDir());
    }

    @Test
    void unknownKey_isRefusedWithItsPosition() throws Exception {
        assertRefused("[monitor]\ninterval = 5\n  intervall = 6\n",
                "/etc/bim.toml:3:3: unknown key 'intervall' in [monitor], expected one of database_path, interval, "
                        + "key_path, lockdown_script, log_dir, log_level, max_workers, quarantine_dir, signing_public_key, "
                        + "sweep_max_mb_per_s");
    }

    @Test
    void unknownSection_isRefused() throws Exception {
        assertRefused("[monitr]\ninterval = 5\n",
                "/etc/bim.toml:1:1: unknown section [monitr], expected one of [monitor], [binaries], [lockdown], [response], [maintenance]");
    }

    @Test
    void topLevelKey_isRefused() throws Exception {
        assertRefused("interval = 5\n",
                "/etc/bim.toml:1:1: unknown key 'interval', expected one of [monitor], [binaries], [lockdown], [response], [maintenance]");
    }

    @Test
    void sectionGivenAsValue_isRefused() throws Exception {
        assertRefused("monitor = 5\n", "/etc/bim.toml:1:1: 'monitor' must be a section [monitor], not a value");
    }

    @Test
    void wrongTypes_areRefusedEachWithWhatWasExpected() throws Exception {
        List<String> p = refusal("""
                [monitor]
                interval = "60"
                max_workers = 1.5
                database_path = 7
                [binaries]
                include_libraries = "yes"
                system_binaries = "/usr/bin/*"
                critical_binaries = [1]
                [lockdown]
                enable_lockdown = 1
                """);
        assertEquals(List.of(
                "/etc/bim.toml:2:1: monitor.interval must be an integer, not the string \"60\"",
                "/etc/bim.toml:4:1: monitor.database_path must be an absolute path in a string, not the number 7",
                "/etc/bim.toml:3:1: monitor.max_workers must be an integer, not the number 1.5",
                "/etc/bim.toml:8:22: binaries.critical_binaries[0] must be a string, not the number 1",
                "/etc/bim.toml:7:1: binaries.system_binaries must be an array of absolute paths or glob patterns, "
                        + "not the string \"/usr/bin/*\"",
                "/etc/bim.toml:6:1: binaries.include_libraries must be true or false, not the string \"yes\"",
                "/etc/bim.toml:10:1: lockdown.enable_lockdown must be true or false, not the number 1"), p);
    }

    @Test
    void relativePath_isRefused() throws Exception {
        assertRefused("[monitor]\nlog_dir = \"var/log\"\n",
                "/etc/bim.toml:2:1: monitor.log_dir (\"var/log\") must be an absolute path (starting with /)");
        assertRefused("[binaries]\nsystem_binaries = [\"/ok/*\", \"bin/*\"]\n",
                "/etc/bim.toml:2:29: binaries.system_binaries[1] (\"bin/*\") must be an absolute path (starting with /)");
    }

    @Test
    void signingPublicKey_isOffWhenAbsentOrEmpty_anAbsolutePathOtherwise() throws Exception {
        assertEquals(null, ConfigLoader.load(write("")).monitor().signingPublicKey());
        assertEquals(null, ConfigLoader.load(write("[monitor]\nsigning_public_key = \"\"\n")).monitor().signingPublicKey());
        assertEquals(fs.getPath("/etc/bim.pub"), ConfigLoader.load(write("[monitor]\nsigning_public_key = \"/etc//bim.pub\"\n"))
                .monitor().signingPublicKey());
        assertRefused("[monitor]\n signing_public_key = \"bim.pub\"\n", "/etc/bim.toml:2:2: monitor.signing_public_key "
                + "(\"bim.pub\") must be an absolute path (starting with /)");
        assertRefused("[monitor]\nsigning_public_key = true\n", "/etc/bim.toml:2:1: monitor.signing_public_key must be "
                + "an absolute path in a string, not the boolean true");
        assertRefused("[monitor]\nkey_path = \"/etc/k\"\nsigning_public_key = \"/etc/k\"\n", "/etc/bim.toml:3:1: "
                + "monitor.signing_public_key (/etc/k) must not be key_path: the public key is a different file (bim "
                + "keygen writes it as FILE.pub)");
    }

    @Test
    void interval_isRefusedBelowOneAndAcceptedAtOne() throws Exception {
        assertRefused("[monitor]\ninterval = -5\n", "/etc/bim.toml:2:1: monitor.interval (-5) must be at least 1");
        assertRefused("[monitor]\ninterval = 0\n", "/etc/bim.toml:2:1: monitor.interval (0) must be at least 1");
        assertEquals(1, ConfigLoader.load(write("[monitor]\ninterval = 1\n")).monitor().interval());
        assertRefused("[monitor]\ninterval = 99999999999\n",
                "/etc/bim.toml:2:1: monitor.interval (99999999999) must be at least 1");
    }

    @Test
    void maxWorkers_boundaries() throws Exception {
        assertRefused("[monitor]\nmax_workers = -1\n",
                "/etc/bim.toml:2:1: monitor.max_workers (-1) must be between 0 and 256");
        assertRefused("[monitor]\nmax_workers = 257\n",
                "/etc/bim.toml:2:1: monitor.max_workers (257) must be between 0 and 256");
        assertEquals(0, ConfigLoader.load(write("[monitor]\nmax_workers = 0\n")).monitor().maxWorkers());
        assertEquals(256, ConfigLoader.load(write("[monitor]\nmax_workers = 256\n")).monitor().maxWorkers());
        assertEquals(Runtime.getRuntime().availableProcessors(),
                ConfigLoader.load(write("[monitor]\nmax_workers = 0\n")).monitor().workers());
    }

    @Test
    void syntaxError_namesLineAndColumn() throws Exception {
        List<String> p = refusal("[monitor]\ninterval = = 5\n");
        assertEquals(1, p.size());
        assertTrue(p.get(0).startsWith("/etc/bim.toml:2:12: "), p.get(0));
    }

    @Test
    void duplicateKey_isRefused() throws Exception {
        List<String> p = refusal("[monitor]\ninterval = 5\ninterval = 6\n");
        assertTrue(p.get(0).startsWith("/etc/bim.toml:3:1: "), p.get(0));
    }

    @Test
    void missingFile_isRefusedNamingIt() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(fs.getPath("/nope.toml")));
        assertEquals(List.of("/nope.toml: no such file (give another with --config FILE)"), e.problems());
    }

    @Test
    void directory_isRefused() throws Exception {
        Files.createDirectories(fs.getPath("/etc/d"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(fs.getPath("/etc/d")));
        assertEquals(List.of("/etc/d: is a directory, expected a TOML file"), e.problems());
    }

    @Test
    void invalidUtf8_isRefused() throws Exception {
        Path p = fs.getPath("/bad.toml");
        Files.write(p, new byte[] {'[', 'm', ']', '\n', (byte) 0xff, (byte) 0xfe});
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(p));
        assertEquals(List.of("/bad.toml: is not valid UTF-8 text, expected a TOML file"), e.problems());
    }

    @Test
    void hugeFile_isRefusedBeforeParsing() throws Exception {
        Path p = fs.getPath("/huge.toml");
        Files.write(p, ("#" + "x".repeat((int) ConfigLoader.MAX_CONFIG_BYTES) + "\n").getBytes(StandardCharsets.UTF_8));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(p));
        assertEquals(List.of("/huge.toml: " + Files.size(p) + " bytes is larger than the 1048576 bytes a "
                + "configuration may have"), e.problems());
    }

    @Test
    void badGlobs_andGlobInExactList_areRefused() throws Exception {
        assertRefused("[binaries]\nsystem_binaries = [\"/usr/[bin/*\"]\n",
                "/etc/bim.toml:2:20: binaries.system_binaries[0] (\"/usr/[bin/*\") must be a valid glob: "
                        + "'[' without ']' in '[bin'");
        assertRefused("[binaries]\nexclude = [\"/a/../b\"]\n",
                "/etc/bim.toml:2:12: binaries.exclude[0] (\"/a/../b\") must be a valid glob: '..' is not allowed in "
                        + "a pattern");
        assertRefused("[binaries]\ncritical_binaries = [\"/usr/bin/s*\"]\n",
                "/etc/bim.toml:2:22: binaries.critical_binaries[0] (\"/usr/bin/s*\") must be an exact path (no *, ?, "
                        + "[ or {; put patterns in system_binaries)");
    }

    @Test
    void badLogLevelAndMail_areRefused() throws Exception {
        assertRefused("[monitor]\nlog_level = \"LOUD\"\n",
                "/etc/bim.toml:2:1: monitor.log_level (\"LOUD\") must be one of TRACE, DEBUG, INFO, WARN, ERROR, "
                        + "FATAL, OFF");
        assertRefused("[lockdown]\nadmin_email = \"-oQ/tmp/x root\"\n",
                "/etc/bim.toml:2:1: lockdown.admin_email (\"-oQ/tmp/x root\") must be a single mail address without "
                        + "spaces, commas or control characters");
        assertRefused("[lockdown]\nadmin_email = \"-root\"\n",
                "/etc/bim.toml:2:1: lockdown.admin_email (\"-root\") must be a mail address, not an option (it must "
                        + "not start with '-')");
    }

    @Test
    void databaseAtRoot_isRefused() throws Exception {
        assertRefused("[monitor]\ndatabase_path = \"/\"\n",
                "/etc/bim.toml:2:1: monitor.database_path (/) must name a file, not the root");
    }

    @Test
    void everyProblem_isReportedAtOnce() throws Exception {
        List<String> p = refusal("[monitor]\ninterval = -1\nmax_workers = 999\nbogus = 1\n");
        assertEquals(3, p.size(), p.toString());
    }

    @Test
    void recordValidation_namesTheBadValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Config.Monitor(-5,
                fs.getPath("/q"), fs.getPath("/d/b"), fs.getPath("/l"), "INFO", 0, fs.getPath("/s"), fs.getPath("/k"), 0, null));
        assertEquals("interval (-5) must be at least 1", e.getMessage());
    }
}
