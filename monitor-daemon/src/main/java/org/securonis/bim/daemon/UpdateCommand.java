package org.securonis.bim.daemon;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.securonis.bim.core.Baseline;
import org.securonis.bim.core.FileRecord;
import org.securonis.bim.core.Finding;
import org.securonis.bim.core.Inspector;
import org.securonis.bim.core.MonitoredFile;
import org.securonis.bim.core.MonitoredSet;
import org.securonis.bim.core.Names;
import org.securonis.bim.core.Observation;
import org.securonis.bim.core.Source;
import org.securonis.bim.core.SweepResult;
import org.securonis.bim.core.Verifier;

/**
 * {@code bim update [PATH...]}: accepts the current state of the given paths (all monitored paths when none)
 * into the baseline. A path that cannot be read keeps its old record: an unknown state is never accepted.
 */
final class UpdateCommand {

    private UpdateCommand() {
    }

    static int run(Invocation inv) throws UsageException {
        inv.ensureStateDir();
        try (AutoCloseable lock = inv.lock()) {
            Baseline baseline = inv.loadBaseline();
            // Accepting needs the keys (with signing on, the private key): checked before any sweep or write.
            inv.writingStore();
            MonitoredSet set = inv.resolveSet();
            Instant now = Instant.now(inv.clock);
            List<Finding> accepted = new ArrayList<>();
            List<SweepResult.Problem> problems = new ArrayList<>();
            Map<String, FileRecord> changes = new LinkedHashMap<>();
            if (inv.line.args().isEmpty()) {
                SweepResult r = inv.sweep(set, baseline, "update");
                for (Finding f : r.findings()) {
                    accepted.add(f);
                    if (f.previousPath() != null) {
                        changes.put(f.previousPath(), null);
                    }
                    changes.put(f.path(), f.current());
                }
                problems.addAll(r.problems());
                // Records whose tier the configuration changed are rewritten too, without being a finding.
                for (Observation o : r.observations().values()) {
                    FileRecord old = baseline.get(o.path());
                    if (o.isPresent() && old != null && old.tier() != o.state().tier() && !changes.containsKey(o.path())) {
                        changes.put(o.path(), old.withTier(o.state().tier()));
                    }
                }
            } else {
                Verifier verifier = new Verifier(inv.inspector(), inv.clock);
                for (MonitoredFile f : targets(inv, set, baseline)) {
                    Verifier.Verification v = verifier.verify(f, baseline.get(f.path()), Source.SWEEP);
                    Observation o = v.observation();
                    if (o.isFailed()) {
                        problems.add(new SweepResult.Problem(f.path(), o.error()));
                        continue;
                    }
                    if (v.finding() != null) {
                        accepted.add(v.finding());
                    }
                    changes.put(f.path(), o.isPresent() ? o.state() : null);
                }
            }
            Baseline next = baseline.with(changes, now);
            if (!changes.isEmpty()) {
                inv.save(next);
            }
            Backups.keep(inv, next);
            if (inv.line.has("--json")) {
                Report.json(inv.out, accepted);
            } else {
                inv.out.printf("bim update: accepted %d change%s; the baseline has %d files%n", accepted.size(),
                        accepted.size() == 1 ? "" : "s", next.size());
                for (Finding f : accepted) {
                    inv.out.printf("  %-19s %-8s %s%s%n", f.action().label(), f.tier().label(),
                            Names.escape(f.path()), Report.details(f));
                }
            }
            for (SweepResult.Problem p : problems) {
                inv.err.println("bim: not accepted (unreadable): " + Names.escape(p.path()) + ": " + p.message());
            }
            return problems.isEmpty() ? ExitCode.OK : ExitCode.IO_ERROR;
        } catch (UsageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new UsageException(ExitCode.WRITE_ERROR, "cannot release the baseline lock: " + e.getMessage());
        }
    }

    /**
     * A path argument as an absolute, normalized exact name; {@code \\xNN} escapes as {@code check} prints them
     * name bytes that are not UTF-8 (a shell cannot pass those through Java's argument decoding intact).
     */
    static String absolute(String arg) {
        String abs = arg.startsWith("/") ? arg : System.getProperty("user.dir") + "/" + arg;
        return Names.of(Names.path(FileSystems.getDefault(), abs).normalize());
    }

    /** The monitored paths named on the line; any name outside the set refuses the whole command. */
    private static List<MonitoredFile> targets(Invocation inv, MonitoredSet set, Baseline baseline)
            throws UsageException {
        List<MonitoredFile> out = new ArrayList<>();
        for (String arg : inv.line.args()) {
            String unescaped = Names.unescape(arg);
            if (unescaped.indexOf('\0') >= 0 || unescaped.isEmpty()) {
                throw new UsageException(ExitCode.INVALID_ARGUMENT, "'" + Names.escape(arg) + "' is not a path: "
                        + (unescaped.isEmpty() ? "it is empty" : "it names a NUL byte, which no file name can hold")
                        + "; nothing was changed");
            }
            String path = absolute(unescaped);
            Path asGiven = Names.path(FileSystems.getDefault(), path);
            if (Files.isDirectory(asGiven, java.nio.file.LinkOption.NOFOLLOW_LINKS) && baseline.get(path) == null) {
                // A directory: every monitored file and every record below it (an upgraded package's tree).
                java.util.Set<String> under = new java.util.TreeSet<>(baseline.pathsUnder(path));
                String prefix = path.endsWith("/") ? path : path + "/";
                set.files().values().stream()
                        .filter(m -> m.path().startsWith(prefix) || Names.of(m.source()).startsWith(prefix))
                        .forEach(m -> under.add(m.path()));
                if (under.isEmpty()) {
                    throw new UsageException(ExitCode.INVALID_ARGUMENT, Names.escape(path) + " is a directory with "
                            + "no monitored file and no record below it; nothing was changed");
                }
                for (String p : under) {
                    FileRecord r = baseline.get(p);
                    out.add(set.lookup(p).orElseGet(() -> set.outside(r)));
                }
                continue;
            }
            Optional<MonitoredFile> f = set.lookup(path);
            if (f.isEmpty()) {
                f = set.files().values().stream().filter(m -> Names.of(m.source()).equals(path)).findFirst();
            }
            if (f.isEmpty()) {
                FileRecord r = baseline.get(path);
                if (r != null) {
                    f = Optional.of(set.outside(r));
                }
            }
            if (f.isEmpty()) {
                throw new UsageException(ExitCode.INVALID_ARGUMENT, Names.escape(path) + " is neither monitored "
                        + "(see [binaries] in " + inv.configName() + ") nor in the baseline; nothing was changed");
            }
            if (baseline.get(f.get().path()) == null
                    && !Files.exists(f.get().source(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                // A monitored name with nothing there and no record: a typo more likely than a change to accept.
                throw new UsageException(ExitCode.INVALID_ARGUMENT, Names.escape(path) + " does not exist and is not "
                        + "in the baseline: there is nothing to accept; nothing was changed");
            }
            out.add(f.get());
        }
        return out;
    }
}
