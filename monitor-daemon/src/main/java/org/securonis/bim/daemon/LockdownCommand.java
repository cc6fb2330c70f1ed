package org.securonis.bim.daemon;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.securonis.bim.core.AlertFormat;
import org.securonis.bim.core.CommandRunner;
import org.securonis.bim.core.LockdownState;
import org.securonis.bim.core.Names;

/**
 * {@code bim lockdown status} and {@code bim lockdown release}: the persistent lockdown state, and leaving it
 * (the lockdown script's {@code release} undoes what it can first, unless {@code --no-script}).
 */
final class LockdownCommand {

    private LockdownCommand() {
    }

    static int run(Invocation inv) throws UsageException {
        List<String> args = inv.line.args();
        LockdownState state = new LockdownState(inv.config.monitor().stateDir());
        String sub = args.isEmpty() ? "status" : args.get(0);
        if (args.size() > 1) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT, "lockdown " + Names.escape(sub) + " takes no arguments");
        }
        switch (sub) {
            case "status" -> {
                LockdownState.Active a = state.active();
                inv.out.println(a == null ? "lockdown: not active"
                        : "lockdown: ACTIVE since " + AlertFormat.time(a.since()) + " (incident " + a.incidentId()
                                + "; script: " + a.outcome() + ")");
                return ExitCode.OK;
            }
            case "release" -> {
                return release(inv, state);
            }
            default -> throw new UsageException(ExitCode.INVALID_ARGUMENT, "unknown lockdown command '"
                    + Names.escape(sub) + "' (expected status or release)");
        }
    }

    private static int release(Invocation inv, LockdownState state) throws UsageException {
        LockdownState.Active a = state.active();
        if (a == null) {
            inv.out.println("lockdown: not active; nothing to release");
            return ExitCode.OK;
        }
        if (!inv.line.has("--no-script")) {
            String script = inv.config.monitor().lockdownScript().toString();
            try {
                CommandRunner.Result r = CommandRunner.processes().run(List.of(script, "release"), new byte[0],
                        Map.of("BIM_LOCKDOWN_STATE", inv.config.monitor().stateDir().resolve("lockdown").toString()),
                        Duration.ofSeconds(inv.config.lockdown().lockdownTimeout()));
                inv.out.print(r.output());
                if (!r.ok()) {
                    throw new UsageException(ExitCode.IO_ERROR, "the lockdown script's release failed ("
                            + (r.timedOut() ? "timed out" : "exit " + r.exitCode()) + "); the lockdown stays recorded. "
                            + "Fix it by hand, then `bim lockdown release --no-script`");
                }
            } catch (IOException e) {
                throw new UsageException(ExitCode.IO_ERROR, "cannot run " + script + " release: " + e.getMessage()
                        + "; after undoing the lockdown by hand, `bim lockdown release --no-script`");
            }
        }
        try {
            state.release();
        } catch (IOException e) {
            throw new UsageException(ExitCode.WRITE_ERROR, "cannot remove " + state.file() + ": " + e.getMessage());
        }
        inv.out.println("lockdown: released (was active since " + AlertFormat.time(a.since()) + ", incident "
                + a.incidentId() + ")");
        return ExitCode.OK;
    }
}
