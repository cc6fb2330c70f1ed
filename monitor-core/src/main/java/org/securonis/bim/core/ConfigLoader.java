package org.securonis.bim.core;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Reads the TOML configuration into a {@link Config}, collecting every problem before refusing.
 *
 * <p>Every key has a default, unknown sections and keys are refused (a typo never passes silently),
 * and each refusal names the file, line, column and what was expected.
 */
public final class ConfigLoader {

    /** Larger files are refused before parsing: no real configuration comes near this. */
    static final long MAX_CONFIG_BYTES = 1 << 20;

    /** DESIGN's three, and the monitor's own files: an intruder's first target is the watchman. */
    static final List<String> DEFAULT_CRITICAL_BINARIES = List.of("/usr/bin/sudo", "/usr/bin/su", "/usr/sbin/sshd",
            "/usr/local/bin/bim", "/usr/local/lib/bim/bim.jar", "/usr/local/lib/bim/bim.jsa",
            "/usr/local/lib/bim/bim-jit.json", "/usr/local/bin/lockdown.sh",
            "/etc/binary_integrity_monitor.toml", "/etc/binary_integrity_monitor.key",
            "/etc/binary_integrity_monitor.pub", "/etc/systemd/system/binary-integrity-monitor.service");
    static final List<String> DEFAULT_SYSTEM_BINARIES = List.of("/usr/bin/*", "/usr/sbin/*");
    static final List<String> DEFAULT_CRITICAL_LIBRARIES =
            List.of("/usr/lib/x86_64-linux-gnu/libc.so*", "/usr/lib/x86_64-linux-gnu/libpam*.so*");
    /** Every section and its keys: the schema, in one place. */
    static final Map<String, Set<String>> SCHEMA = Map.of(
            "monitor", Set.of("interval", "quarantine_dir", "database_path", "log_dir", "log_level",
                    "max_workers", "lockdown_script", "key_path", "sweep_max_mb_per_s", "signing_public_key"),
            "binaries", Set.of("critical_binaries", "system_binaries", "include_libraries",
                    "critical_libraries", "exclude"),
            "lockdown", Set.of("enable_lockdown", "auto_restore_backup", "backup_dir", "admin_email",
                    "lockdown_timeout", "keep_services"),
            "response", Set.of("incident_window", "critical", "library", "system", "attributes", "deleted",
                    "backup_tiers", "sendmail", "forensics_max_mb", "forensics_timeout", "max_restores_per_hour"),
            "maintenance", Set.of("max_duration", "dpkg_info_dir"));
    static final List<String> DEFAULT_KEEP_SERVICES = List.of("tor", "ssh", "sshd", "systemd-journald",
            "systemd-logind", "dbus", "binary-integrity-monitor");
    private static final Set<String> LOG_LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF");

    private ConfigLoader() {
    }

    /** The built-in configuration, as DESIGN.md gives it, with paths on {@code fs}. */
    public static Config defaults(FileSystem fs) {
        return new Config(null,
                new Config.Monitor(3600,
                        fs.getPath("/var/quarantine/binaries"),
                        fs.getPath("/var/lib/binary_integrity/hashes.json"),
                        fs.getPath("/var/log/binary_integrity"),
                        "INFO", 0,
                        fs.getPath("/usr/local/bin/lockdown.sh"),
                        fs.getPath("/etc/binary_integrity_monitor.key"), 0, null),
                new Config.Binaries(DEFAULT_CRITICAL_BINARIES, DEFAULT_SYSTEM_BINARIES, true,
                        DEFAULT_CRITICAL_LIBRARIES, List.of()),
                new Config.Lockdown(true, false, fs.getPath("/var/lib/binary_integrity/backup"), "root", 120,
                        DEFAULT_KEEP_SERVICES),
                defaultResponse(fs),
                new Config.Maintenance(3600, fs.getPath("/var/lib/dpkg/info")));
    }

    /** Every change alerts; content changes are quarantined, contained and open an incident; lockdown is critical-only. */
    static Config.Response defaultResponse(FileSystem fs) {
        Set<ResponseAction> content = EnumSet.of(ResponseAction.QUARANTINE, ResponseAction.CONTAIN,
                ResponseAction.INCIDENT, ResponseAction.FORENSICS, ResponseAction.NOTIFY);
        Set<ResponseAction> critical = EnumSet.copyOf(content);
        critical.add(ResponseAction.LOCKDOWN);
        Map<Tier, Set<ResponseAction>> byTier = new EnumMap<>(Tier.class);
        byTier.put(Tier.CRITICAL, critical);
        byTier.put(Tier.LIBRARY, content);
        byTier.put(Tier.SYSTEM, content);
        return new Config.Response(2, byTier, EnumSet.of(ResponseAction.INCIDENT, ResponseAction.NOTIFY),
                EnumSet.of(ResponseAction.CONTAIN, ResponseAction.INCIDENT, ResponseAction.NOTIFY),
                EnumSet.of(Tier.CRITICAL), fs.getPath("/usr/sbin/sendmail"), 512L << 20, 30, 3);
    }

    /** Loads and validates {@code file}; paths in the result live on the file's own file system. */
    public static Config load(Path file) throws ConfigException {
        String text = read(file);
        int depth = nesting(text);
        if (depth > MAX_NESTING) {
            throw new ConfigException(List.of(file + ": arrays or tables nested " + depth + " deep; a configuration "
                    + "needs at most 2 and " + MAX_NESTING + " is the limit"));
        }
        TomlParseResult toml;
        try {
            toml = Toml.parse(text);
        } catch (RuntimeException | AssertionError | StackOverflowError e) {
            // The parser's own failure on hostile input (an escape it cannot represent, say): still a refusal.
            throw new ConfigException(List.of(file + ": not valid TOML (the parser stopped: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")"));
        }
        List<String> problems = new ArrayList<>();
        for (TomlParseError e : toml.errors()) {
            problems.add(at(file, e.position()) + e.getMessage().replaceFirst(" \\(line \\d+, column \\d+\\)$", ""));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        Reader r = new Reader(file, toml, problems);
        Config d = defaults(file.getFileSystem());
        r.onlyTables(SCHEMA.keySet());

        TomlTable mon = r.table("monitor");
        Config.Monitor dm = d.monitor();
        int interval = r.integer(mon, "monitor", "interval", dm.interval(), 1, Integer.MAX_VALUE);
        Path quarantine = r.path(mon, "monitor", "quarantine_dir", dm.quarantineDir());
        Path database = r.path(mon, "monitor", "database_path", dm.databasePath());
        Path logDir = r.path(mon, "monitor", "log_dir", dm.logDir());
        String logLevel = r.string(mon, "monitor", "log_level", dm.logLevel(), v -> {
            String up = v.toUpperCase(Locale.ROOT);
            return LOG_LEVELS.contains(up) ? null : "one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF";
        }).toUpperCase(Locale.ROOT);
        int maxWorkers = r.integer(mon, "monitor", "max_workers", dm.maxWorkers(), 0, Config.Monitor.MAX_WORKERS_LIMIT);
        Path lockdownScript = r.path(mon, "monitor", "lockdown_script", dm.lockdownScript());
        Path keyPath = r.path(mon, "monitor", "key_path", dm.keyPath());
        int sweepRate = r.integer(mon, "monitor", "sweep_max_mb_per_s", dm.sweepMaxMbPerS(), 0, 100_000);
        Path signingKey = r.optionalPath(mon, "monitor", "signing_public_key");
        if (signingKey != null && signingKey.equals(keyPath)) {
            r.problem(mon, "signing_public_key", "monitor.signing_public_key (" + signingKey + ") must not be key_path: "
                    + "the public key is a different file (bim keygen writes it as FILE.pub)");
            signingKey = null;
        }
        if (database.getParent() == null || database.getFileName() == null) {
            r.problem(mon, "database_path", "monitor.database_path (" + database + ") must name a file, not the root");
        }

        TomlTable bin = r.table("binaries");
        Config.Binaries db = d.binaries();
        List<String> critical = r.paths(bin, "binaries", "critical_binaries", db.criticalBinaries(), false);
        List<String> system = r.paths(bin, "binaries", "system_binaries", db.systemBinaries(), true);
        boolean includeLibraries = r.bool(bin, "binaries", "include_libraries", db.includeLibraries());
        List<String> libraries = r.paths(bin, "binaries", "critical_libraries", db.criticalLibraries(), true);
        List<String> exclude = r.paths(bin, "binaries", "exclude", db.exclude(), true);

        TomlTable lock = r.table("lockdown");
        Config.Lockdown dl = d.lockdown();
        boolean enable = r.bool(lock, "lockdown", "enable_lockdown", dl.enableLockdown());
        boolean restore = r.bool(lock, "lockdown", "auto_restore_backup", dl.autoRestoreBackup());
        Path backup = r.path(lock, "lockdown", "backup_dir", dl.backupDir());
        String admin = r.string(lock, "lockdown", "admin_email", dl.adminEmail(), v -> {
            if (v.isBlank()) {
                return "a mail address or local user name";
            }
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c < 0x20 || c == 0x7f || c == ',' || c == ' ') {
                    return "a single mail address without spaces, commas or control characters";
                }
            }
            return v.startsWith("-") ? "a mail address, not an option (it must not start with '-')" : null;
        });

        int lockdownTimeout = r.integer(lock, "lockdown", "lockdown_timeout", dl.lockdownTimeout(), 1, 3600);
        List<String> keep = r.strings(lock, "lockdown", "keep_services", dl.keepServices(),
                v -> v.matches("[A-Za-z0-9@._:-]{1,128}") ? null : "a systemd unit name");

        TomlTable resp = r.table("response");
        Config.Response dr = d.response();
        int window = r.integer(resp, "response", "incident_window", dr.incidentWindow(), 1, 600);
        Map<Tier, Set<ResponseAction>> content = new EnumMap<>(Tier.class);
        for (Tier t : Tier.values()) {
            content.put(t, r.actions(resp, "response", t.label(), dr.content().get(t)));
        }
        Set<ResponseAction> attributes = r.actions(resp, "response", "attributes", dr.attributes());
        Set<ResponseAction> deleted = r.actions(resp, "response", "deleted", dr.deleted());
        Set<Tier> backupTiers = EnumSet.noneOf(Tier.class);
        for (String t : r.strings(resp, "response", "backup_tiers",
                dr.backupTiers().stream().map(Tier::label).toList(),
                v -> Set.of("critical", "library", "system").contains(v) ? null : "one of critical, library, system")) {
            backupTiers.add(Tier.ofLabel(t));
        }
        Path sendmail = r.path(resp, "response", "sendmail", dr.sendmail());
        long forensicsMb = r.integer(resp, "response", "forensics_max_mb", (int) (dr.forensicsMaxBytes() >> 20), 1, 65536);
        int forensicsTimeout = r.integer(resp, "response", "forensics_timeout", dr.forensicsTimeout(), 1, 3600);
        int maxRestores = r.integer(resp, "response", "max_restores_per_hour", dr.maxRestoresPerHour(), 0, 1000);

        TomlTable maint = r.table("maintenance");
        Config.Maintenance dmt = d.maintenance();
        int maxDuration = r.integer(maint, "maintenance", "max_duration", dmt.maxDuration(), 60, 86400);
        Path dpkgInfo = r.path(maint, "maintenance", "dpkg_info_dir", dmt.dpkgInfoDir());

        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new Config(file,
                new Config.Monitor(interval, quarantine, database, logDir, logLevel, maxWorkers, lockdownScript,
                        keyPath, sweepRate, signingKey),
                new Config.Binaries(critical, system, includeLibraries, libraries, exclude),
                new Config.Lockdown(enable, restore, backup, admin, lockdownTimeout, keep),
                new Config.Response(window, content, attributes, deleted, backupTiers, sendmail, forensicsMb << 20,
                        forensicsTimeout, maxRestores),
                new Config.Maintenance(maxDuration, dpkgInfo));
    }

    /** Deeper nesting is refused before parsing: the parser recurses, and no configuration needs more than 2. */
    static final int MAX_NESTING = 32;

    /** The deepest nesting of [ and { outside strings and comments (dotted keys do not nest this way). */
    static int nesting(String text) {
        int depth = 0;
        int max = 0;
        char quote = 0;
        boolean comment = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (comment) {
                comment = c != '\n';
            } else if (quote != 0) {
                if (c == '\\' && quote == '"') {
                    i++;
                } else if (c == quote || c == '\n') {
                    quote = 0;
                }
            } else if (c == '#') {
                comment = true;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '[' || c == '{') {
                max = Math.max(max, ++depth);
            } else if (c == ']' || c == '}') {
                depth = Math.max(0, depth - 1);
            }
        }
        return max;
    }

    private static String read(Path file) throws ConfigException {
        try {
            if (Files.isDirectory(file)) {
                throw new ConfigException(List.of(file + ": is a directory, expected a TOML file"));
            }
            long size = Files.size(file);
            if (size > MAX_CONFIG_BYTES) {
                throw new ConfigException(List.of(file + ": " + size + " bytes is larger than the "
                        + MAX_CONFIG_BYTES + " bytes a configuration may have"));
            }
            byte[] bytes = RegularFiles.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(file + ": no such file (give another with --config FILE)"));
        } catch (AccessDeniedException e) {
            throw new ConfigException(List.of(file + ": permission denied (run as root or give a readable file "
                    + "with --config FILE)"));
        } catch (CharacterCodingException e) {
            throw new ConfigException(List.of(file + ": is not valid UTF-8 text, expected a TOML file"));
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read: " + e.getMessage()));
        }
    }

    private static String at(Path file, TomlPosition pos) {
        return pos == null ? file + ": " : file + ":" + pos.line() + ":" + pos.column() + ": ";
    }

    /** Typed access to the parsed table that records a problem instead of failing on the first. */
    private static final class Reader {
        private final Path file;
        private final TomlParseResult root;
        private final List<String> problems;

        Reader(Path file, TomlParseResult root, List<String> problems) {
            this.file = file;
            this.root = root;
            this.problems = problems;
        }

        void onlyTables(Set<String> known) {
            for (String key : root.keySet()) {
                if (!known.contains(key)) {
                    problems.add(at(file, root.inputPositionOf(List.of(key))) + "unknown "
                            + (root.get(List.of(key)) instanceof TomlTable ? "section [" + key + "]" : "key '" + key + "'")
                            + ", expected one of [monitor], [binaries], [lockdown], [response], [maintenance]");
                } else if (!(root.get(List.of(key)) instanceof TomlTable)) {
                    problems.add(at(file, root.inputPositionOf(List.of(key))) + "'" + key
                            + "' must be a section [" + key + "], not a value");
                }
            }
        }

        TomlTable table(String name) {
            Set<String> keys = SCHEMA.get(name);
            Object t = root.get(List.of(name));
            if (!(t instanceof TomlTable table)) {
                return null;
            }
            for (String key : table.keySet()) {
                if (!keys.contains(key)) {
                    problems.add(at(file, table.inputPositionOf(List.of(key))) + "unknown key '" + key + "' in ["
                            + name + "], expected one of " + String.join(", ", new java.util.TreeSet<>(keys)));
                }
            }
            return table;
        }

        void problem(TomlTable t, String key, String message) {
            TomlPosition pos = t == null ? null : t.inputPositionOf(List.of(key));
            problems.add(at(file, pos) + message);
        }

        private Object value(TomlTable t, String key) {
            return t == null ? null : t.get(List.of(key));
        }

        private void typeProblem(TomlTable t, String section, String key, String expected, Object got) {
            problem(t, key, section + "." + key + " must be " + expected + ", not " + describe(got));
        }

        int integer(TomlTable t, String section, String key, int def, long min, long max) {
            Object v = value(t, key);
            if (v == null) {
                return def;
            }
            if (!(v instanceof Long n)) {
                typeProblem(t, section, key, "an integer", v);
                return def;
            }
            if (n < min || n > max) {
                problem(t, key, section + "." + key + " (" + n + ") must be "
                        + (max == Integer.MAX_VALUE ? "at least " + min : "between " + min + " and " + max));
                return def;
            }
            return (int) (long) n;
        }

        boolean bool(TomlTable t, String section, String key, boolean def) {
            Object v = value(t, key);
            if (v == null) {
                return def;
            }
            if (!(v instanceof Boolean b)) {
                typeProblem(t, section, key, "true or false", v);
                return def;
            }
            return b;
        }

        String string(TomlTable t, String section, String key, String def, Function<String, String> check) {
            Object v = value(t, key);
            if (v == null) {
                return def;
            }
            if (!(v instanceof String s)) {
                typeProblem(t, section, key, "a string", v);
                return def;
            }
            String expected = check.apply(s);
            if (expected != null) {
                problem(t, key, section + "." + key + " (\"" + s + "\") must be " + expected);
                return def;
            }
            return s;
        }

        Path path(TomlTable t, String section, String key, Path def) {
            Object v = value(t, key);
            if (v == null) {
                return def;
            }
            if (!(v instanceof String s)) {
                typeProblem(t, section, key, "an absolute path in a string", v);
                return def;
            }
            String expected = checkPath(s, false);
            if (expected != null) {
                problem(t, key, section + "." + key + " (\"" + s + "\") must be " + expected);
                return def;
            }
            return file.getFileSystem().getPath(s).normalize();
        }

        /** An absolute path, or null when the key is absent or the empty string (the feature is off). */
        Path optionalPath(TomlTable t, String section, String key) {
            return "".equals(value(t, key)) ? null : path(t, section, key, null);
        }

        List<String> paths(TomlTable t, String section, String key, List<String> def, boolean globs) {
            String what = globs ? "an array of absolute paths or glob patterns" : "an array of absolute paths";
            return strings(t, section, key, def, what, v -> checkPath(v, globs)).stream().map(Glob::normalize).toList();
        }

        List<String> strings(TomlTable t, String section, String key, List<String> def,
                Function<String, String> check) {
            return strings(t, section, key, def, "an array of strings", check);
        }

        /** An array of strings, each passing {@code check} (which names what was expected, or returns null). */
        private List<String> strings(TomlTable t, String section, String key, List<String> def, String what,
                Function<String, String> check) {
            Object v = value(t, key);
            if (v == null) {
                return def;
            }
            if (!(v instanceof TomlArray array)) {
                typeProblem(t, section, key, what, v);
                return def;
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                Object item = array.get(i);
                TomlPosition pos = array.inputPositionOf(i);
                if (!(item instanceof String s)) {
                    problems.add(at(file, pos) + section + "." + key + "[" + i + "] must be a string, not "
                            + describe(item));
                    continue;
                }
                String expected = check.apply(s);
                if (expected != null) {
                    problems.add(at(file, pos) + section + "." + key + "[" + i + "] (\"" + s + "\") must be "
                            + expected);
                    continue;
                }
                out.add(s);
            }
            return out;
        }

        Set<ResponseAction> actions(TomlTable t, String section, String key, Set<ResponseAction> def) {
            List<String> labels = strings(t, section, key, def.stream().map(ResponseAction::label).toList(),
                    v -> ResponseAction.ofLabel(v) != null ? null
                            : "one of quarantine, contain, incident, forensics, lockdown, notify");
            Set<ResponseAction> out = EnumSet.noneOf(ResponseAction.class);
            labels.forEach(l -> out.add(ResponseAction.ofLabel(l)));
            return out;
        }

        private static String checkPath(String s, boolean globs) {
            if (s.isEmpty()) {
                return "an absolute path, not empty";
            }
            if (s.indexOf('\0') >= 0) {
                return "a path without NUL characters";
            }
            if (!s.startsWith("/")) {
                return "an absolute path (starting with /)";
            }
            if (globs) {
                String bad = Glob.check(s);
                return bad == null ? null : "a valid glob: " + bad;
            }
            return Glob.isPattern(s) ? "an exact path (no *, ?, [ or {; put patterns in system_binaries)" : null;
        }

        private static String describe(Object v) {
            if (v instanceof TomlTable) {
                return "a table";
            }
            if (v instanceof TomlArray) {
                return "an array";
            }
            if (v instanceof String s) {
                return "the string \"" + s + "\"";
            }
            if (v instanceof Long || v instanceof Double) {
                return "the number " + v;
            }
            if (v instanceof Boolean) {
                return "the boolean " + v;
            }
            return "a " + v.getClass().getSimpleName().replace("Offset", "").toLowerCase(Locale.ROOT);
        }
    }
}
