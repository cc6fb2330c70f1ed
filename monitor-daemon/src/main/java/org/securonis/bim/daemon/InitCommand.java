package org.securonis.bim.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.securonis.bim.core.Baseline;
import org.securonis.bim.core.FileRecord;
import org.securonis.bim.core.MonitoredSet;
import org.securonis.bim.core.Names;
import org.securonis.bim.core.Observation;
import org.securonis.bim.core.SweepResult;

/** {@code bim init [--force] [--signing-key FILE]}: records the baseline of the monitored set. */
final class InitCommand {

    private InitCommand() {
    }

    static int run(Invocation inv) throws UsageException {
        inv.ensureStateDir();
        try (AutoCloseable lock = inv.lock()) {
            if (inv.store().exists() && !inv.line.has("--force")) {
                String what;
                boolean loads = false;
                try {
                    Baseline old = inv.loadBaseline();
                    what = "recorded " + old.created() + ", " + old.size() + " files";
                    loads = true;
                } catch (UsageException e) {
                    what = "it does not load: " + e.getMessage();
                }
                throw new UsageException(ExitCode.INVALID_ARGUMENT, "a baseline already exists at "
                        + inv.config.monitor().databasePath() + " (" + Names.escape(what) + "); "
                        + (loads ? "use `bim update` to accept changes, or `bim init --force` to replace it"
                                : "`bim init --force` records a new one (the old file is kept beside it as evidence)"));
            }
            // The keys before the sweep: a refused one costs nothing and changes nothing.
            inv.writingStore();
            MonitoredSet set = inv.resolveSet();
            Instant now = Instant.now(inv.clock);
            SweepResult r = inv.sweep(set, Baseline.empty(now), "init");
            Baseline baseline = Baseline.of(now, now, recordsOf(r));
            keepPrevious(inv);
            inv.save(baseline);
            Backups.keep(inv, baseline);
            inv.out.printf("bim init: recorded %d files (%s) in %.1f s to %s%s%n", baseline.size(),
                    Sizes.human(r.bytes()), r.duration().toMillis() / 1000.0, inv.config.monitor().databasePath(),
                    inv.signing() ? ", signed by ed25519 key " + inv.verifyingKey().fingerprint() : "");
            for (String m : set.missing()) {
                inv.err.println("bim: note: critical path " + Names.escape(m) + " does not exist now; it joins the "
                        + "set (as created) when it appears");
            }
            for (SweepResult.Problem p : r.problems()) {
                inv.err.println("bim: not recorded: " + Names.escape(p.path()) + ": " + p.message());
            }
            return r.problems().isEmpty() ? ExitCode.OK : ExitCode.IO_ERROR;
        } catch (UsageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new UsageException(ExitCode.WRITE_ERROR, "cannot release the baseline lock: " + e.getMessage());
        }
    }

    /** The records of every path that was fully captured. */
    static List<FileRecord> recordsOf(SweepResult r) {
        List<FileRecord> out = new ArrayList<>();
        for (Observation o : r.observations().values()) {
            if (o.isPresent()) {
                out.add(o.state());
            }
        }
        return out;
    }

    /**
     * A replaced baseline is kept once as {@code NAME.previous}: replacing is deliberate, losing it is not. One
     * whose seal fails is evidence and is kept under its own name, never overwritten.
     */
    private static void keepPrevious(Invocation inv) throws UsageException {
        Path db = inv.config.monitor().databasePath();
        if (!Files.exists(db)) {
            return;
        }
        boolean tampered;
        try {
            inv.loadBaseline();
            tampered = false;
        } catch (UsageException e) {
            tampered = true;
        }
        try {
            Path prev = db.resolveSibling(db.getFileName() + (tampered ? ".untrusted-"
                    + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
                            .withZone(java.time.ZoneOffset.UTC).format(inv.clock.instant())
                    : ".previous"));
            Path tmp = db.resolveSibling("." + db.getFileName() + ".previous.tmp");
            Files.copy(db, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, prev, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UsageException(ExitCode.WRITE_ERROR, "cannot keep a copy of the old baseline before "
                    + "replacing it: " + e.getMessage() + " (nothing was replaced)");
        }
    }
}
