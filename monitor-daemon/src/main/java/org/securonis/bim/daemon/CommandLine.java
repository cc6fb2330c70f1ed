package org.securonis.bim.daemon;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed command line: {@code bim [--config FILE] COMMAND [OPTIONS] [ARGS]}; options may stand before or
 * after the command.
 *
 * @param config  the {@code --config} file, or null for the default
 * @param options the options that take a value ({@code --signing-key FILE}), by name
 */
record CommandLine(String command, String config, Set<String> flags, Map<String, String> options, List<String> args) {

    static final String USAGE = """
            usage: bim [--config FILE] COMMAND [OPTIONS]

            commands:
              init [--force]         record the baseline (refuses to replace one without --force)
              check [--json]         one full sweep against the baseline; exit 0, or 1 added + 2 removed + 4 changed
              update [PATH...]       accept the current state of PATH (a directory: all below it; all when none)
              keygen --out FILE      make an Ed25519 key pair for signed baselines: FILE (the private key,
                                     encrypted with a passphrase) and FILE.pub (for signing_public_key)
              status [--json]        baseline size and age, last check, daemon state
              daemon [--dry-run]     the service: real-time watch, periodic sweep, response pipeline
              verify-db              check the baseline's seal and signature (exit 0 when they verify, 18 otherwise)
              sweep                  ask the running daemon for a full sweep now (SIGUSR1)
              reload                 ask the running daemon to reload its configuration (SIGHUP)
              quarantine list        the captures of tampered content
              quarantine release ID [--no-accept]
                                     put a capture back (a false positive) and accept it into the baseline
              maintenance begin [--reason TEXT]
                                     a package update starts: changes are noted, not answered
              maintenance end        accept what dpkg's checksums vouch for; the rest is alerted
              maintenance status     whether a maintenance window is open
              lockdown status        whether the host is in lockdown
              lockdown release [--no-script]
                                     leave lockdown (the lockdown script's release runs first)

            signed baselines (monitor.signing_public_key set): init, update, maintenance end and
            quarantine release write the baseline, and need the private key:
              --signing-key FILE     the private key (bim keygen; best kept off the host, on a USB stick)
              --passphrase-file FILE its passphrase (first line); else $BIM_PASSPHRASE; else asked on the terminal

            options:
              --config FILE          configuration (default /etc/binary_integrity_monitor.toml)
              --no-progress          no progress line on stderr, even on a terminal
              -h, --help, help       this help
              --version              the version
            """;

    /** The options that take a value. */
    private static final Set<String> VALUED = Set.of("--signing-key", "--passphrase-file", "--out");

    /** The flags and options each command accepts, besides --config, --help and --no-progress. */
    private static final Map<String, Set<String>> FLAGS = Map.ofEntries(
            Map.entry("init", Set.of("--force", "--signing-key", "--passphrase-file")),
            Map.entry("check", Set.of("--json")),
            Map.entry("update", Set.of("--json", "--signing-key", "--passphrase-file")),
            Map.entry("keygen", Set.of("--out", "--passphrase-file")),
            Map.entry("status", Set.of("--json")),
            Map.entry("daemon", Set.of("--dry-run")),
            Map.entry("sweep", Set.<String>of()),
            Map.entry("verify-db", Set.<String>of()),
            Map.entry("reload", Set.<String>of()),
            Map.entry("quarantine", Set.of("--json", "--no-accept", "--signing-key", "--passphrase-file")),
            Map.entry("lockdown", Set.of("--no-script")),
            Map.entry("maintenance", Set.of("--signing-key", "--passphrase-file")),
            Map.entry("help", Set.<String>of()),
            Map.entry("version", Set.<String>of()));

    CommandLine {
        flags = Set.copyOf(flags);
        options = Map.copyOf(options);
        args = List.copyOf(args);
    }

    boolean has(String flag) {
        return flags.contains(flag);
    }

    /** The value of {@code option} ("--signing-key"), or null when it was not given. */
    String option(String option) {
        return options.get(option);
    }

    /** Parses {@code argv}; a bad line is a {@link UsageException} with exit code 15. */
    static CommandLine parse(String[] argv) throws UsageException {
        String command = null;
        String config = null;
        Set<String> flags = new LinkedHashSet<>();
        Map<String, String> options = new java.util.LinkedHashMap<>();
        List<String> args = new ArrayList<>();
        boolean onlyArgs = false;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.indexOf('\0') >= 0) {
                // A real command line cannot carry one (argv is C strings); only a caller in this JVM can.
                throw new UsageException(ExitCode.INVALID_ARGUMENT, "argument " + (i + 1) + " ('" + printable(a)
                        + "') contains a NUL character, which no file name or option can");
            }
            if ("maintenance".equals(command) && (a.equals("--reason") || a.startsWith("--reason="))) {
                args.add(a);
                if (a.equals("--reason") && i + 1 < argv.length) {
                    args.add(argv[++i]);
                }
            } else if (onlyArgs || !a.startsWith("-") || a.equals("-")) {
                if (command == null) {
                    command = a;
                } else {
                    args.add(a);
                }
            } else if (a.equals("--")) {
                onlyArgs = true;
            } else if (a.equals("--config") || a.startsWith("--config=")) {
                if (config != null) {
                    throw new UsageException(ExitCode.INVALID_ARGUMENT, "--config given twice");
                }
                config = value(argv, i, "--config");
                i += a.equals("--config") ? 1 : 0;
            } else if (a.startsWith("--passphrase") && !a.split("=", 2)[0].equals("--passphrase-file")) {
                // Not echoed: it may be the passphrase itself.
                throw new UsageException(ExitCode.INVALID_ARGUMENT, "a passphrase is never taken from the command "
                        + "line (every user sees it in ps and /proc/PID/cmdline, and it stays in the shell's history): "
                        + "use --passphrase-file FILE, $" + Passphrase.ENV + ", or type it when asked");
            } else if (VALUED.contains(a.split("=", 2)[0])) {
                String name = a.split("=", 2)[0];
                if (options.put(name, value(argv, i, name)) != null) {
                    throw new UsageException(ExitCode.INVALID_ARGUMENT, name + " given twice");
                }
                i += a.equals(name) ? 1 : 0;
                flags.add(name);
            } else if (a.equals("-h") || a.equals("--help")) {
                flags.add("--help");
            } else if (a.equals("--version")) {
                flags.add("--version");
            } else {
                flags.add(a);
            }
        }
        if (command == null) {
            command = flags.contains("--version") ? "version" : "help";
        }
        Set<String> allowed = FLAGS.get(command);
        if (allowed == null) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT,
                    "unknown command '" + printable(command) + "' (expected init, check, update, status, daemon, "
                            + "verify-db, keygen, sweep, reload, maintenance, quarantine or lockdown; see bim --help)");
        }
        for (String f : flags) {
            if (!allowed.contains(f) && !f.equals("--help") && !f.equals("--version") && !f.equals("--no-progress")) {
                throw new UsageException(ExitCode.INVALID_ARGUMENT, "unknown option '" + printable(f) + "' for "
                        + command + (allowed.isEmpty() ? "" : " (it takes " + String.join(", ", allowed) + ")"));
            }
        }
        if (!args.isEmpty() && !Set.of("update", "quarantine", "lockdown", "maintenance", "help").contains(command)) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT,
                    command + " takes no arguments, got '" + printable(args.get(0)) + "'");
        }
        flags.removeAll(VALUED);
        return new CommandLine(command, config, flags, options, args);
    }

    /** The FILE of {@code --name FILE} or {@code --name=FILE} at {@code argv[i]}; never empty. */
    private static String value(String[] argv, int i, String name) throws UsageException {
        String v;
        if (argv[i].equals(name)) {
            if (i + 1 >= argv.length) {
                throw new UsageException(ExitCode.INVALID_ARGUMENT, name + " needs a FILE");
            }
            v = argv[i + 1];
        } else {
            v = argv[i].substring(name.length() + 1);
        }
        if (v.isEmpty()) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT, name + " needs a FILE, not an empty string");
        }
        return v;
    }

    private static String printable(String s) {
        return org.securonis.bim.core.Names.escape(s.length() > 200 ? s.substring(0, 200) + "..." : s);
    }
}
