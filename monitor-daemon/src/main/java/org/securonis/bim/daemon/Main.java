package org.securonis.bim.daemon;

import java.io.PrintStream;
import java.time.Clock;

/** The {@code bim} program: parses the command line, runs one command, maps every failure to an exit code. */
public final class Main {

    private Main() {
    }

    public static void main(String[] argv) {
        // The daemon stops logging itself, last, after its orderly stop; log4j's own hook would stop it first.
        System.setProperty("log4j2.shutdownHookEnabled", "false");
        prepare(argv);
        System.exit(run(argv, System.out, System.err, Clock.systemUTC(), ProgressLine.stderrIsTerminal()));
    }

    /**
     * For a command that hashes files, binds the native file calls on a thread of its own while this one reads the
     * configuration: jnr-ffi generates their classes and stubs in about a tenth of a second, time every such command
     * otherwise waits for before its walk can start. A line that does not parse is left to {@link #run}.
     */
    private static void prepare(String[] argv) {
        String command;
        try {
            command = CommandLine.parse(argv).command();
        } catch (UsageException | RuntimeException e) {
            return;
        }
        switch (command) {
            // Not the daemon: it binds after its logging is set up, so that a binding that fails is logged there.
            case "init", "check", "update" -> {
                Thread t = new Thread(NativeOpener::best, "bim-prepare");
                t.setDaemon(true);
                t.start();
            }
            default -> {
                // Nothing to prepare: the command hashes nothing.
            }
        }
    }

    /** Runs one command and returns its exit code; prints a message, never a stack trace, on failure. */
    static int run(String[] argv, PrintStream out, PrintStream err, Clock clock, boolean terminal) {
        return run(argv, out, err, clock, terminal, System.getenv());
    }

    /** As {@link #run(String[], PrintStream, PrintStream, Clock, boolean)}, with the environment given. */
    static int run(String[] argv, PrintStream out, PrintStream err, Clock clock, boolean terminal,
            java.util.Map<String, String> env) {
        try {
            CommandLine line = CommandLine.parse(argv);
            if (line.has("--help") || line.command().equals("help")) {
                out.print(CommandLine.USAGE);
                return ExitCode.OK;
            }
            if (line.has("--version") || line.command().equals("version")) {
                out.println("bim " + version());
                return ExitCode.OK;
            }
            if (line.command().equals("keygen")) {
                return KeygenCommand.run(line, env, out);
            }
            Invocation inv = Invocation.open(line, clock, out, err, terminal, env);
            return switch (line.command()) {
                case "init" -> InitCommand.run(inv);
                case "check" -> CheckCommand.run(inv);
                case "update" -> UpdateCommand.run(inv);
                case "status" -> StatusCommand.run(inv);
                case "daemon" -> DaemonCommand.run(inv);
                case "verify-db" -> VerifyDbCommand.run(inv);
                case "sweep" -> SignalCommand.run(inv, "USR1", "sweep now");
                case "reload" -> SignalCommand.run(inv, "HUP", "reload its configuration");
                case "maintenance" -> MaintenanceCommand.run(inv);
                case "quarantine" -> QuarantineCommand.run(inv);
                case "lockdown" -> LockdownCommand.run(inv);
                default -> throw new UsageException(ExitCode.INVALID_ARGUMENT, "unknown command " + line.command());
            };
        } catch (UsageException e) {
            err.println("bim: " + e.getMessage());
            return e.exitCode();
        } catch (OutOfMemoryError e) {
            err.println("bim: out of memory: " + e.getMessage());
            return ExitCode.IO_ERROR;
        } catch (RuntimeException | StackOverflowError | AssertionError e) {
            err.println("bim: internal error: " + e);
            return ExitCode.IO_ERROR;
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
