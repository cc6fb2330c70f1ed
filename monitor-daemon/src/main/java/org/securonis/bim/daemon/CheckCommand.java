package org.securonis.bim.daemon;

import java.io.IOException;
import org.securonis.bim.core.Action;
import org.securonis.bim.core.AlertFormat;
import org.securonis.bim.core.Baseline;
import org.securonis.bim.core.Names;
import org.securonis.bim.core.SweepResult;

/** {@code bim check [--json]}: one full sweep against the baseline, AIDE's exit codes. */
final class CheckCommand {


    private CheckCommand() {
    }

    static int run(Invocation inv) throws UsageException {
        // The baseline is parsed on a thread of its own while this one walks the set and the sweep's workers hash
        // what it finds: none of them needs the others until the comparison. Files the daemon restored itself have a new
        // inode: a runtime fact it keeps in state.json, not a change.
        java.util.concurrent.FutureTask<Baseline> baseline = new java.util.concurrent.FutureTask<>(() -> {
            Baseline b = inv.loadBaseline(); // first: the sweep waits for it, not for the state's JSON mapper
            return new org.securonis.bim.core.RuntimeFacts(new DaemonState(inv.config.monitor().stateDir())
                    .restored()).applyTo(b);
        });
        Thread parser = new Thread(baseline, "bim-baseline");
        parser.setDaemon(true);
        parser.start();
        // The set's members are hashed as the walk finds them.
        SweepResult r = inv.sweep(inv::resolveSet, baseline, "check", false);
        if (inv.line.has("--json")) {
            Report.json(inv.out, r.findings());
            for (SweepResult.Problem p : r.problems()) {
                inv.err.println("bim: unreadable: " + Names.escape(p.path()) + ": " + p.message());
            }
        } else {
            Report.human(inv.out, "check", r);
        }
        int code = ExitCode.of(r.findings());
        if (code == ExitCode.OK && !r.problems().isEmpty()) {
            code = ExitCode.IO_ERROR;
        }
        record(inv, r, code);
        return code;
    }

    /** Notes the check in the state file; a failure to do so is a warning, not a failed check. */
    private static void record(Invocation inv, SweepResult r, int code) {
        // Written with the streaming generator: a JSON mapper would start for this alone.
        try {
            new StateFile(inv.config.monitor().stateDir()).write("last_check", g -> {
                g.writeStartObject();
                g.writeStringField("time", AlertFormat.time(inv.clock.instant()));
                g.writeNumberField("duration_ms", r.duration().toMillis());
                g.writeNumberField("files", r.files());
                g.writeNumberField("bytes", r.bytes());
                for (Action a : Action.values()) {
                    if (a != Action.BASELINE_TAMPERED) {
                        g.writeNumberField(a.label(), r.count(a));
                    }
                }
                g.writeNumberField("unreadable", r.problems().size());
                g.writeNumberField("exit_code", code);
                g.writeEndObject();
            });
        } catch (IOException e) {
            inv.err.println("bim: warning: cannot record the check in " + inv.config.monitor().stateDir() + ": "
                    + e.getMessage());
        }
    }
}
