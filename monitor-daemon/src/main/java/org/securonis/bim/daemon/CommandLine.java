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
 * @param config the {@code --config} file, or null for the default
 */
record CommandLine(String command, String config, Set<String> flags, List<String> args) {

    static final String USAGE = """
            usage: bim [--config FILE] COMMAND [OPTIONS]

            commands:
              init [--force]         record the baseline (refuses to replace one without --force)
              check [--json]         one full sweep against the baseline; exit 0, or 1 added + 2 removed + 4 changed
              update [PATH...]       accept the current state of PATH (all monitored files when none)
              status [--json]        baseline size and age, last check, daemon state
              daemon [--dry-run]     the service: real-time watch, periodic sweep, response pipeline
              verify-db              check the baseline's seal (exit 0 when it verifies, 18 otherwise)
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

            options:
              --config FILE          configuration (default /etc/binary_integrity_monitor.toml)
              --no-progress          no progress line on stderr, even on a terminal
              -h, --help             this help
              --version              the version
            """;

    /** The flags each command accepts, besides --config, --help and --no-progress. */
    private static final Map<String, Set<String>> FLAGS = Map.ofEntries(
            Map.entry("init", Set.of("--force")),
            Map.entry("check", Set.of("--json")),
            Map.entry("update", Set.of("--json")),
            Map.entry("status", Set.of("--json")),
            Map.entry("daemon", Set.of("--dry-run")),
            Map.entry("sweep", Set.<String>of()),
            Map.entry("verify-db", Set.<String>of()),
            Map.entry("reload", Set.<String>of()),
            Map.entry("quarantine", Set.of("--json", "--no-accept")),
            Map.entry("lockdown", Set.of("--no-script")),
            Map.entry("maintenance", Set.<String>of()),
            Map.entry("help", Set.<String>of()),
            Map.entry("version", Set.<String>of()));

    CommandLine {
        flags = Set.copyOf(flags);
        args = List.copyOf(args);
    }

    boolean has(String flag) {
        return flags.contains(flag);
    }

    /** Parses {@code argv}; a bad line is a {@link UsageException} with exit code 15. */
    static CommandLine parse(String[] argv) throws UsageException {
        String command = null;
        String config = null;
        Set<String> flags = new LinkedHashSet<>();
        List<String> args = new ArrayList<>();
        boolean onlyArgs = false;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
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
                String v;
                if (a.equals("--config")) {
                    if (i + 1 >= argv.length) {
                        throw new UsageException(ExitCode.INVALID_ARGUMENT, "--config needs a FILE");
                    }
                    v = argv[++i];
                } else {
                    v = a.substring("--config=".length());
                }
                if (v.isEmpty()) {
                    throw new UsageException(ExitCode.INVALID_ARGUMENT, "--config needs a FILE, not an empty string");
                }
                if (config != null) {
                    throw new UsageException(ExitCode.INVALID_ARGUMENT, "--config given twice");
                }
                config = v;
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
                            + "verify-db, sweep, reload, maintenance, quarantine or lockdown; see bim --help)");
        }
        for (String f : flags) {
            if (!allowed.contains(f) && !f.equals("--help") && !f.equals("--version") && !f.equals("--no-progress")) {
                throw new UsageException(ExitCode.INVALID_ARGUMENT, "unknown option '" + printable(f) + "' for "
                        + command + (allowed.isEmpty() ? "" : " (it takes " + String.join(", ", allowed) + ")"));
            }
        }
        if (!args.isEmpty() && !Set.of("update", "quarantine", "lockdown", "maintenance").contains(command)) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT,
                    command + " takes no arguments, got '" + printable(args.get(0)) + "'");
        }
        return new CommandLine(command, config, flags, args);
    }

    private static String printable(String s) {
        return org.securonis.bim.core.Names.escape(s.length() > 200 ? s.substring(0, 200) + "..." : s);
    }
}
