package org.securonis.bim.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.securonis.bim.core.AlertFormat;
import org.securonis.bim.core.Baseline;
import org.securonis.bim.core.DpkgVerifier;
import org.securonis.bim.core.FileRecord;
import org.securonis.bim.core.Finding;
import org.securonis.bim.core.MaintenanceWindow;
import org.securonis.bim.core.MonitoredSet;
import org.securonis.bim.core.Names;
import org.securonis.bim.core.SweepResult;

/**
 * {@code bim maintenance begin [--reason TEXT] | end [--signing-key FILE] | status}: a package-update window. While it is open the
 * daemon answers no change; {@code end} sweeps, accepts into the baseline (and the backup store) every change
 * the package manager's checksums vouch for, and closes the window; the daemon then sweeps and alerts, and
 * answers, whatever was not accepted.
 */
final class MaintenanceCommand {

    private MaintenanceCommand() {
    }

    static int run(Invocation inv) throws UsageException {
        List<String> args = inv.line.args();
        MaintenanceWindow window = new MaintenanceWindow(inv.config.monitor().stateDir());
        String sub = args.isEmpty() ? "status" : args.get(0);
        return switch (sub) {
            case "begin" -> begin(inv, window, args);
            case "end" -> {
                if (args.size() > 1) {
                    throw new UsageException(ExitCode.INVALID_ARGUMENT, "maintenance end takes no arguments");
                }
                yield end(inv, window);
            }
            case "status" -> {
                MaintenanceWindow.Open w = window.current();
                inv.out.println(w == null ? "maintenance: not active" : "maintenance: ACTIVE since "
                        + AlertFormat.time(w.since()) + " until " + AlertFormat.time(w.until()) + " ("
                        + Names.escape(w.reason()) + ")");
                yield ExitCode.OK;
            }
            default -> throw new UsageException(ExitCode.INVALID_ARGUMENT, "unknown maintenance command '"
                    + Names.escape(sub) + "' (expected begin [--reason TEXT], end or status)");
        };
    }

    private static int begin(Invocation inv, MaintenanceWindow window, List<String> args) throws UsageException {
        String reason = "manual";
        for (int i = 1; i < args.size(); i++) {
            if (args.get(i).equals("--reason") && i + 1 < args.size()) {
                reason = args.get(++i);
            } else if (args.get(i).startsWith("--reason=")) {
                reason = args.get(i).substring("--reason=".length());
            } else {
                throw new UsageException(ExitCode.INVALID_ARGUMENT, "maintenance begin takes --reason TEXT, not '"
                        + Names.escape(args.get(i)) + "'");
            }
        }
        if (reason.length() > 200 || reason.chars().anyMatch(c -> c < 0x20)) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT, "--reason must be one line of at most 200 characters");
        }
        inv.ensureStateDir();
        try {
            MaintenanceWindow.Open w = window.begin(inv.clock.instant(),
                    Duration.ofSeconds(inv.config.maintenance().maxDuration()), reason);
            inv.out.println("maintenance: begun (" + Names.escape(reason) + "); it ends with `bim maintenance end`, or "
                    + "by itself at " + AlertFormat.time(w.until()));
            return ExitCode.OK;
        } catch (IOException e) {
            throw new UsageException(ExitCode.WRITE_ERROR, "cannot write " + window.file() + ": " + e.getMessage());
        }
    }

    private static int end(Invocation inv, MaintenanceWindow window) throws UsageException {
        MaintenanceWindow.Open w = window.current();
        if (w == null) {
            inv.out.println("maintenance: not active; nothing to end");
            return ExitCode.OK;
        }
        int refused = 0;
        try (AutoCloseable lock = inv.lock()) {
            Baseline baseline = inv.loadBaseline();
            if (inv.line.option("--signing-key") != null) {
                // A wrong passphrase is told before the sweep, not after it.
                inv.writingStore();
            }
            MonitoredSet set = inv.resolveSet();
            SweepResult r = inv.sweep(set, baseline, "maintenance end");
            DpkgVerifier dpkg = new DpkgVerifier(inv.config.maintenance().dpkgInfoDir());
            Map<String, FileRecord> accepted = new LinkedHashMap<>();
            List<String> lines = new ArrayList<>();
            for (Finding f : r.findings()) {
                DpkgVerifier.Verdict v;
                try {
                    v = dpkg.verify(f, Names.path(java.nio.file.FileSystems.getDefault(), f.path()));
                } catch (IOException e) {
                    v = new DpkgVerifier.Verdict(false, "cannot read dpkg's records in "
                            + inv.config.maintenance().dpkgInfoDir() + ": " + e.getMessage(), null);
                }
                if (v.accepted()) {
                    accepted.put(f.path(), f.current());
                    if (f.previousPath() != null) {
                        accepted.put(f.previousPath(), null);
                    }
                } else {
                    refused++;
                }
                lines.add(String.format("  %-8s %-19s %s: %s", v.accepted() ? "accepted" : "ALERT", f.action().label(),
                        Names.escape(f.path()), v.reason()));
            }
            if (!accepted.isEmpty()) {
                Baseline next = baseline.with(accepted, inv.clock.instant());
                if (inv.signing() && inv.line.option("--signing-key") == null) {
                    // Nothing is accepted and the window stays open: the admin can still end it with the key.
                    throw new UsageException(ExitCode.INVALID_ARGUMENT, "maintenance: " + accepted.size()
                            + " changes are the packages' own, but the baseline is signed: accepting them needs "
                            + "`bim maintenance end --signing-key FILE`. The window stays open until then (or until "
                            + AlertFormat.time(w.until()) + ", when what was not accepted is alerted); nothing was "
                            + "changed");
                }
                inv.save(next);
                Backups.keep(inv, next);
            }
            window.end();
            inv.out.printf("maintenance: ended (begun %s, %s): %d changes accepted as the packages' own, %d left to be "
                    + "alerted%n", AlertFormat.time(w.since()), Names.escape(w.reason()), accepted.size(), refused);
            lines.forEach(inv.out::println);
        } catch (UsageException e) {
            throw e;
        } catch (Exception e) {
            throw new UsageException(ExitCode.WRITE_ERROR, "cannot end maintenance: " + e.getMessage());
        }
        return refused == 0 ? ExitCode.OK : ExitCode.CHANGED;
    }
}
