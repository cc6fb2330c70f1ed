package org.securonis.bim.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.securonis.bim.core.Baseline;
import org.securonis.bim.core.FileRecord;
import org.securonis.bim.core.Inspector;
import org.securonis.bim.core.MaintenanceWindow;
import org.securonis.bim.core.MonitoredFile;
import org.securonis.bim.core.Names;
import org.securonis.bim.core.Observation;
import org.securonis.bim.core.Quarantine;
import org.securonis.bim.core.Tier;

/**
 * {@code bim quarantine list} and {@code bim quarantine release ID}: the captures of tampered content, and putting
 * one back for a false positive (its content is then accepted into the baseline, unless {@code --no-accept}).
 */
final class QuarantineCommand {

    private QuarantineCommand() {
    }

    static int run(Invocation inv) throws UsageException {
        List<String> args = inv.line.args();
        Quarantine q = new Quarantine(inv.config.monitor().quarantineDir(), inv.clock, NativeOpener.best());
        if (args.isEmpty() || args.get(0).equals("list")) {
            if (args.size() > 1) {
                throw new UsageException(ExitCode.INVALID_ARGUMENT, "quarantine list takes no arguments");
            }
            return list(inv, q);
        }
        if (args.get(0).equals("release")) {
            if (args.size() != 2) {
                throw new UsageException(ExitCode.INVALID_ARGUMENT, "usage: bim quarantine release ID (see bim "
                        + "quarantine list)");
            }
            return release(inv, q, args.get(1));
        }
        throw new UsageException(ExitCode.INVALID_ARGUMENT, "unknown quarantine command '"
                + Names.escape(args.get(0)) + "' (expected list or release ID)");
    }

    private static int list(Invocation inv, Quarantine q) throws UsageException {
        List<ObjectNode> captures;
        try {
            captures = q.list();
        } catch (IOException e) {
            throw new UsageException(ExitCode.IO_ERROR, "cannot list " + q.dir() + ": " + e.getMessage());
        }
        if (inv.line.has("--json")) {
            captures.forEach(c -> inv.out.println(c.toString()));
            return ExitCode.OK;
        }
        inv.out.printf("%d capture%s in %s%n", captures.size(), captures.size() == 1 ? "" : "s", q.dir());
        for (ObjectNode c : captures) {
            inv.out.printf("  %s  %-19s %-8s %s  incident %s%s%n", c.path("id").asText(), c.path("action").asText(),
                    c.path("tier").asText(), Names.escape(c.path("path").asText()), c.path("incident_id").asText("-"),
                    c.has("error") ? "  (" + c.path("error").asText() + ")" : "");
        }
        return ExitCode.OK;
    }

    private static int release(Invocation inv, Quarantine q, String id) throws UsageException {
        ObjectNode c;
        try {
            c = q.get(id);
        } catch (NoSuchFileException e) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT, "no capture " + Names.escape(id) + " in " + q.dir()
                    + " (see bim quarantine list)");
        } catch (IOException e) {
            throw new UsageException(ExitCode.IO_ERROR, "cannot read capture " + Names.escape(id) + ": " + e.getMessage());
        }
        String path = c.path("path").asText();
        Path target = Names.path(java.nio.file.FileSystems.getDefault(), path);
        // A running daemon would take the file put back for new tampering (and disarm it) before the baseline
        // accepts it: a short maintenance window keeps it from answering until the release is accepted.
        boolean accept = !inv.line.has("--no-accept");
        if (accept) {
            // Accepting writes the baseline: its keys are checked before the file is put back.
            inv.writingStore();
        }
        MaintenanceWindow window = new MaintenanceWindow(inv.config.monitor().stateDir());
        boolean ownWindow = accept && window.current() == null;
        try {
            if (ownWindow) {
                inv.ensureStateDir();
                window.begin(inv.clock.instant(), java.time.Duration.ofMinutes(5), "quarantine release " + id);
            }
            q.release(id, target);
        } catch (IOException e) {
            endWindow(window, ownWindow);
            throw new UsageException(ExitCode.WRITE_ERROR, "cannot release " + Names.escape(id) + " to "
                    + Names.escape(path) + ": " + e.getMessage());
        }
        try {
            return accept(inv, c, id, path, target);
        } finally {
            endWindow(window, ownWindow);
        }
    }

    private static void endWindow(MaintenanceWindow window, boolean own) {
        if (own) {
            try {
                window.end();
            } catch (IOException e) {
                System.err.println("bim: warning: cannot end the release's maintenance window: " + e.getMessage()
                        + " (it ends by itself within 5 minutes)");
            }
        }
    }

    private static int accept(Invocation inv, ObjectNode c, String id, String path, Path target) throws UsageException {
        inv.out.println("bim quarantine: put " + Names.escape(id) + " back at " + Names.escape(path));
        if (inv.line.has("--no-accept")) {
            inv.out.println("bim quarantine: not accepted; `bim update " + Names.escape(path) + "` accepts it");
            return ExitCode.OK;
        }
        inv.ensureStateDir();
        try (AutoCloseable lock = inv.lock()) {
            Baseline b = inv.loadBaseline();
            FileRecord old = b.get(path);
            Tier tier = old != null ? old.tier() : Tier.ofLabel(c.path("tier").asText("system"));
            Observation o = inv.inspector().capture(new MonitoredFile(path, target, tier));
            if (!o.isPresent()) {
                throw new UsageException(ExitCode.IO_ERROR, "released, but cannot capture " + Names.escape(path) + ": "
                        + o.error());
            }
            inv.save(b.with(java.util.Map.of(path, o.state()), Instant.now(inv.clock)));
            inv.out.println("bim quarantine: accepted " + Names.escape(path) + " (sha256 " + o.state().sha256()
                    + ") into the baseline");
            return ExitCode.OK;
        } catch (UsageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new UsageException(ExitCode.WRITE_ERROR, "cannot release the baseline lock: " + e.getMessage());
        }
    }
}
