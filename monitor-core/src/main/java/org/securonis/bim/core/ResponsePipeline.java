package org.securonis.bim.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The answer to a finding, as independent stages, each outcome recorded in the incident and a failing stage
 * logged while the next still runs. Per finding, at once and in this order (evidence before anything
 * destructive): alert, quarantine, process evidence, contain (restore from backup or disarm), lockdown. Per
 * incident, when its window closes: incident report, forensic archive, notification.
 *
 * <p>A burst is one incident: findings join the open incident while they keep coming within
 * {@code incident_window} seconds (at most {@link #MAX_OPEN_WINDOWS} windows in all). Lockdown runs at most
 * once per incident and not at all while the host is already in lockdown. Thread-safe; slow work (process scans,
 * reports, archives, mail) runs on the "bim-response" thread, the lockdown script on "bim-lockdown". Closed by its
 * owner: open incidents are then closed and reported.
 */
public final class ResponsePipeline implements AutoCloseable {

    /** Publishes the alert of a finding (the alert log, the standard log). */
    @FunctionalInterface
    public interface Publisher {
        void alert(Finding finding, String incidentId);
    }

    /** Told when the pipeline itself changed a monitored path, so the change is not alerted as tampering. */
    @FunctionalInterface
    public interface Settler {
        void settle(String path);
    }

    static final int MAX_OPEN_WINDOWS = 30;
    private static final Logger LOG = LogManager.getLogger(ResponsePipeline.class);
    private static final DateTimeFormatter ID_TIME =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private volatile Config config;
    private final Clock clock;
    private final boolean dryRun;
    private final Publisher publisher;
    private final Quarantine quarantine;
    private final BackupStore backups;
    private final Forensics forensics;
    private final CommandRunner runner;
    private final LockdownState lockdown;
    private final RuntimeFacts facts;
    private final String host;
    private final String version;
    private final ScheduledExecutorService slow;
    private final ExecutorService lockdownRunner;
    private final Map<String, Deque<Instant>> restores = new HashMap<>();
    private final Map<String, Incident> open = new LinkedHashMap<>();
    private volatile Settler settler = path -> { };
    private volatile FileOpener opener = FileOpener.JDK;
    private Incident current;

    public ResponsePipeline(Config config, Clock clock, boolean dryRun, Publisher publisher, Quarantine quarantine,
            BackupStore backups, Forensics forensics, CommandRunner runner, LockdownState lockdown,
            RuntimeFacts facts, String host, String version) {
        this.config = config;
        this.clock = clock;
        this.dryRun = dryRun;
        this.publisher = publisher;
        this.quarantine = quarantine;
        this.backups = backups;
        this.forensics = forensics;
        this.runner = runner;
        this.lockdown = lockdown;
        this.facts = facts;
        this.host = host;
        this.version = version;
        ScheduledThreadPoolExecutor stpe = new ScheduledThreadPoolExecutor(1, r -> daemonThread(r, "bim-response"));
        // On close, open incidents are finished directly: pending window checks need not be waited for.
        stpe.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.slow = stpe;
        this.lockdownRunner = Executors.newSingleThreadExecutor(r -> daemonThread(r, "bim-lockdown"));
    }

    private static Thread daemonThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Applies a reloaded configuration to every finding from now on (open incidents keep what they did). */
    public void reconfigure(Config next) {
        this.config = next;
    }

    public void setSettler(Settler settler) {
        this.settler = settler;
    }

    /** How containment opens a file it disarms (default: the JDK's open). */
    public void setOpener(FileOpener opener) {
        this.opener = opener;
    }

    /** Answers one new finding (already de-duplicated); the caller serializes calls for one path. */
    public void respond(Finding f) {
        Set<ResponseAction> actions = config.response().actionsFor(f);
        Incident inc;
        Incident.Entry entry;
        synchronized (this) {
            inc = actions.isEmpty() ? null : join(f);
            entry = inc == null ? null : inc.add(f, actions);
        }
        publisher.alert(f, inc == null ? null : inc.id);
        if (inc == null) {
            return;
        }
        Path path = Names.path(quarantine.dir().getFileSystem(), f.path());
        if (actions.contains(ResponseAction.QUARANTINE)) {
            quarantineStage(inc, entry, path);
        }
        // Process evidence is taken here, before containment or lockdown can change what runs.
        if ((actions.contains(ResponseAction.FORENSICS) || actions.contains(ResponseAction.INCIDENT))
                && f.current() != null) {
            processesStage(inc, entry, path, f.current());
        }
        if (actions.contains(ResponseAction.CONTAIN)) {
            containStage(inc, f, path);
        }
        if (actions.contains(ResponseAction.LOCKDOWN)) {
            lockdownStage(inc);
        }
        long windowMs = config.response().incidentWindow() * 1000L;
        try {
            slow.schedule(() -> maybeClose(inc), windowMs + 50, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closing: close() finishes every open incident itself.
        }
    }

    /** The open incident the finding joins, or a new one. Caller holds the lock. */
    private Incident join(Finding f) {
        Instant now = clock.instant();
        Duration window = Duration.ofSeconds(config.response().incidentWindow());
        if (current != null && current.closed == null && !now.isAfter(current.last.plus(window))
                && now.isBefore(current.opened.plus(window.multipliedBy(MAX_OPEN_WINDOWS)))) {
            current.last = now;
            return current;
        }
        String id = ID_TIME.format(now) + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
        current = new Incident(id, now);
        open.put(id, current);
        LOG.warn("incident {} opened", id);
        return current;
    }

    private void record(Incident inc, String stage, String path, String outcome, String detail) {
        synchronized (this) {
            inc.outcome(stage, path, outcome, detail, clock.instant());
        }
        String line = "incident " + inc.id + ": " + stage + (path == null ? "" : " " + Names.escape(path)) + ": "
                + outcome + ": " + Names.escape(detail);
        if (outcome.equals("failed")) {
            LOG.error(line);
        } else {
            LOG.info(line);
        }
    }

    private void quarantineStage(Incident inc, Incident.Entry entry, Path path) {
        Finding f = entry.finding;
        if (f.current() == null) {
            record(inc, "quarantine", f.path(), "skipped", "the file is gone: nothing to capture");
            return;
        }
        try {
            quarantine.prepare();
            Quarantine.Capture c = quarantine.capture(f, path, inc.id);
            synchronized (this) {
                entry.capture = c;
            }
            record(inc, "quarantine", f.path(), "ok", c.content() == null ? "recorded " + c.sidecar()
                    : "captured " + c.size() + " bytes, sha256 " + c.sha256() + ", as " + c.content());
        } catch (IOException | RuntimeException e) {
            record(inc, "quarantine", f.path(), "failed", why(e));
        }
    }

    /** What went wrong, said: a NoSuchFileException's message is the bare path. */
    private static String why(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "it is gone already (" + e.getMessage() + "): nothing left to capture";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied (" + e.getMessage() + ")";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private void processesStage(Incident inc, Incident.Entry entry, Path path, FileRecord cur) {
        try {
            List<ProcessInfo> ps = forensics.processesUsing(path, cur.device(), cur.inode());
            synchronized (this) {
                entry.processes = ps;
            }
            record(inc, "processes", entry.finding.path(), "ok", ps.size() + " processes run, map or hold it"
                    + (ps.isEmpty() ? "" : ": " + ps.stream().map(p -> p.pid() + " " + p.name()).toList()));
        } catch (RuntimeException e) {
            record(inc, "processes", entry.finding.path(), "failed", String.valueOf(e.getMessage()));
        }
    }

    private void containStage(Incident inc, Finding f, Path path) {
        if (dryRun) {
            record(inc, "contain", f.path(), "skipped", "dry run: nothing restored or disarmed");
            return;
        }
        FileRecord base = f.previous();
        boolean restorable = config.lockdown().autoRestoreBackup() && base != null && f.action() != Action.CREATED
                && f.action() != Action.MOVED
                && (base.type() == FileType.SYMLINK || (base.type() == FileType.FILE && base.sha256() != null));
        if (restorable && base.type() == FileType.FILE && !backups.has(base.sha256())) {
            record(inc, "restore", f.path(), "skipped", config.response().backupTiers().contains(base.tier())
                    ? "no known-good copy of its recorded content is in backup_dir (init, update and the daemon's "
                            + "first run keep them)"
                    : "no known-good copy of it is kept (its tier " + base.tier().label() + " is not in backup_tiers)");
            restorable = false;
        }
        if (restorable) {
            String limited = rateLimited(f.path());
            if (limited == null) {
                try {
                    long t0 = System.nanoTime();
                    String how = restore(base, path);
                    record(inc, "restore", f.path(), "ok", how + " in "
                            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
                    settler.settle(f.path());
                    return;
                } catch (IOException | RuntimeException e) {
                    record(inc, "restore", f.path(), "failed", why(e) + "; disarming instead");
                }
            } else {
                record(inc, "restore", f.path(), "skipped", limited);
            }
        }
        disarm(inc, f, path);
    }

    /** Null when a restore of {@code path} may run now, else why not. */
    private synchronized String rateLimited(String path) {
        int max = config.response().maxRestoresPerHour();
        Instant now = clock.instant();
        Deque<Instant> times = restores.computeIfAbsent(path, p -> new ArrayDeque<>());
        while (!times.isEmpty() && times.peekFirst().isBefore(now.minus(Duration.ofHours(1)))) {
            times.removeFirst();
        }
        if (times.size() >= max) {
            return "tampered with again after " + times.size() + " restores within the hour (max_restores_per_hour = "
                    + max + "): not restored again in a loop; disarmed instead";
        }
        times.addLast(now);
        return null;
    }

    private String restore(FileRecord base, Path path) throws IOException {
        if (base.type() == FileType.SYMLINK) {
            Path tmp = path.resolveSibling(".bim-restore-" + Long.toHexString(System.nanoTime()));
            RuntimeFacts.temporary(tmp);
            try {
                Files.createSymbolicLink(tmp, Names.path(path.getFileSystem(), base.target()));
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
                RuntimeFacts.doneWith(tmp);
            }
            Object ino = Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            Object dev = Files.getAttribute(path, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            facts.restored(base.path(), ((Number) ino).longValue(), ((Number) dev).longValue());
            return "symlink put back to " + base.target();
        }
        BackupStore.Restored r = backups.restore(base, path);
        facts.restored(r.path(), r.inode(), r.device());
        return "restored the known-good copy (sha256 " + base.sha256() + ", mode " + base.modeString() + ", uid "
                + Integer.toUnsignedString(base.uid()) + ")";
    }

    private void disarm(Incident inc, Finding f, Path path) {
        FileRecord cur = f.current();
        if (cur == null) {
            record(inc, "contain", f.path(), "skipped", "the file is gone; nothing to disarm"
                    + (config.lockdown().autoRestoreBackup() ? "" : " (auto_restore_backup is off)"));
            return;
        }
        if (cur.type() != FileType.FILE) {
            record(inc, "contain", f.path(), "skipped", "a " + cur.type().label() + " cannot be disarmed"
                    + (config.lockdown().autoRestoreBackup() ? "" : "; with auto_restore_backup it is put back"));
            return;
        }
        int mode = cur.mode();
        int safe = mode & ~07111;
        if (safe == mode) {
            record(inc, "contain", f.path(), "skipped", "mode " + cur.modeString() + " is neither executable nor set-id");
            return;
        }
        // Through the opened file, so that what is disarmed is the file seen: a FIFO swapped in is not opened for
        // reading, a symlink is not followed, and another file renamed over it keeps its bits.
        try (FileOpener.Opened o = opener.open(path)) {
            if (o.inode() >= 0 && (o.inode() != cur.inode() || o.device() != cur.device())) {
                record(inc, "contain", f.path(), "skipped", "replaced again since it was seen (inode " + o.inode()
                        + ", was " + cur.inode() + "): not disarmed; the new file is verified on its own");
                return;
            }
            o.setMode(safe);
            settler.settle(f.path());
            record(inc, "contain", f.path(), "ok", String.format("disarmed: mode %s -> %04o (execute and set-id bits "
                    + "cleared; the content stays for analysis)", cur.modeString(), safe));
        } catch (FileOpener.ChangedException e) {
            record(inc, "contain", f.path(), "skipped", "not disarmed: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            record(inc, "contain", f.path(), "failed", "cannot clear the execute bits: " + e.getMessage());
        }
    }

    private void lockdownStage(Incident inc) {
        synchronized (this) {
            if (inc.lockdownHandled) {
                return;
            }
            inc.lockdownHandled = true;
        }
        if (!config.lockdown().enableLockdown()) {
            record(inc, "lockdown", null, "skipped", "enable_lockdown is false");
            return;
        }
        if (dryRun) {
            record(inc, "lockdown", null, "skipped", "dry run: the lockdown script is not run");
            return;
        }
        try {
            LockdownState.Active active = lockdown.active();
            if (!lockdown.enter(inc.id, clock.instant())) {
                record(inc, "lockdown", null, "skipped", "the host is already in lockdown since "
                        + (active == null ? "?" : AlertFormat.time(active.since()) + " (incident " + active.incidentId()
                        + ")") + "; the script is not run again");
                return;
            }
        } catch (IOException e) {
            record(inc, "lockdown", null, "failed", "cannot record the lockdown state: " + e.getMessage());
            return;
        }
        Path report = writeReport(inc);
        lockdownRunner.execute(() -> runLockdown(inc, report));
    }

    private void runLockdown(Incident inc, Path report) {
        Path script = config.monitor().lockdownScript();
        Map<String, String> env = new HashMap<>();
        env.put("BIM_KEEP_SERVICES", String.join(" ", config.lockdown().keepServices()));
        env.put("BIM_ADMIN", config.lockdown().adminEmail());
        env.put("BIM_LOCKDOWN_STATE", config.monitor().stateDir().resolve("lockdown").toString());
        env.put("BIM_SENDMAIL", config.response().sendmail().toString());
        String outcome;
        try {
            if (!Files.isExecutable(script)) {
                throw new IOException("lockdown_script " + script + " is missing or not executable");
            }
            CommandRunner.Result r = runner.run(List.of(script.toString(), inc.id, report.toString()), new byte[0], env,
                    Duration.ofSeconds(config.lockdown().lockdownTimeout()));
            String tail = tail(r.output(), 2000);
            if (r.ok()) {
                outcome = "ok";
                record(inc, "lockdown", null, "ok", "lockdown script exited 0" + (tail.isEmpty() ? "" : ": " + tail));
            } else {
                outcome = r.timedOut() ? "timed out" : "exit " + r.exitCode();
                record(inc, "lockdown", null, "failed", (r.timedOut() ? "lockdown script killed after "
                        + config.lockdown().lockdownTimeout() + " s" : "lockdown script exited " + r.exitCode())
                        + ": " + tail);
            }
        } catch (IOException | RuntimeException e) {
            outcome = "failed: " + e.getMessage();
            record(inc, "lockdown", null, "failed", String.valueOf(e.getMessage()));
        }
        try {
            lockdown.outcome(outcome);
        } catch (IOException e) {
            LOG.error("cannot record the lockdown outcome in {}: {}", lockdown.file(), e.getMessage());
        }
        try {
            slow.execute(() -> writeReport(inc));
        } catch (RejectedExecutionException e) {
            writeReport(inc);
        }
    }

    private static String tail(String s, int max) {
        String t = s.strip();
        return t.length() <= max ? t : "…" + t.substring(t.length() - max);
    }

    /** Closes the incident if its window has passed with no new finding; otherwise checks again later. */
    private void maybeClose(Incident inc) {
        Duration window = Duration.ofSeconds(config.response().incidentWindow());
        synchronized (this) {
            if (inc.closed != null) {
                return;
            }
            Instant now = clock.instant();
            boolean quiet = now.isAfter(inc.last.plus(window));
            boolean tooLong = !now.isBefore(inc.opened.plus(window.multipliedBy(MAX_OPEN_WINDOWS)));
            if (!quiet && !tooLong) {
                long ms = Math.max(50, Duration.between(now, inc.last.plus(window)).toMillis() + 50);
                try {
                    slow.schedule(() -> maybeClose(inc), ms, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    // Closing: close() finishes it.
                }
                return;
            }
            inc.closed = now;
            if (current == inc) {
                current = null;
            }
        }
        finish(inc);
    }

    /** The per-incident stages: report, forensic archive, notification; then the final report. */
    private void finish(Incident inc) {
        writeReport(inc);
        if (inc.wanted.contains(ResponseAction.FORENSICS)) {
            try {
                forensicsStage(inc);
            } catch (RuntimeException e) {
                record(inc, "forensics", null, "failed", String.valueOf(e));
            }
        }
        if (inc.wanted.contains(ResponseAction.NOTIFY)) {
            try {
                notifyStage(inc);
            } catch (RuntimeException e) {
                record(inc, "notify", null, "failed", String.valueOf(e));
            }
        }
        Path report = writeReport(inc);
        synchronized (this) {
            open.remove(inc.id);
        }
        LOG.warn("incident {} closed: {} file{}, report {}", inc.id, inc.entries.size(),
                inc.entries.size() == 1 ? "" : "s", report);
    }

    private void forensicsStage(Incident inc) {
        List<Evidence> evidence = new ArrayList<>();
        synchronized (this) {
            for (Incident.Entry e : inc.entries) {
                if (e.finding.current() == null && e.finding.previous() == null) {
                    continue;   // baseline_tampered: the database itself is in the archive as baseline.json
                }
                Quarantine.Capture c = e.capture;
                evidence.add(new Evidence(e.finding.path(), e.finding.current(), e.finding.previous(),
                        c == null ? null : c.content(), c == null || c.content() == null ? null : c.sha256(),
                        e.processes));
            }
        }
        Path logDir = config.monitor().logDir();
        try {
            Forensics.ArchiveResult a = forensics.writeArchive(logDir, inc.id, evidence,
                    config.monitor().databasePath(), List.of(logDir.resolve("binary_integrity_monitor.log"),
                            logDir.resolve("binary_integrity_alerts.log")));
            synchronized (this) {
                inc.archive = a;
            }
            record(inc, "forensics", null, "ok", a.archive() + " (" + a.bytes() + " bytes, " + a.members().size()
                    + " members, " + a.errors().size() + " collection errors)");
        } catch (IOException | RuntimeException e) {
            record(inc, "forensics", null, "failed", String.valueOf(e.getMessage()));
        }
    }

    private void notifyStage(Incident inc) {
        String admin = config.lockdown().adminEmail();
        Path sendmail = config.response().sendmail();
        StringBuilder body = new StringBuilder();
        String subject;
        synchronized (this) {
            long critical = inc.entries.stream().filter(e -> e.finding.tier() == Tier.CRITICAL).count();
            subject = "[bim] incident " + inc.id + " on " + host + ": " + inc.entries.size() + " file"
                    + (inc.entries.size() == 1 ? "" : "s") + " changed" + (critical > 0 ? " (" + critical + " critical)" : "");
            body.append("Binary Integrity Monitor on ").append(host).append(" opened incident ").append(inc.id)
                    .append(" at ").append(AlertFormat.time(inc.opened)).append(".\n\n");
            for (Incident.Entry e : inc.entries) {
                body.append("  ").append(AlertFormat.summary(e.finding)).append('\n');
            }
            body.append("\nActions:\n");
            for (ActionOutcome a : inc.actions) {
                body.append("  ").append(a.stage()).append(a.path() == null ? "" : " " + Names.escape(a.path()))
                        .append(": ").append(a.outcome()).append(": ").append(Names.escape(a.detail())).append('\n');
            }
            body.append("\nReport: ").append(config.monitor().logDir().resolve("incident-" + inc.id + ".json"))
                    .append('\n');
            if (inc.archive != null) {
                body.append("Forensic archive: ").append(inc.archive.archive()).append('\n');
            }
        }
        String message = "To: " + admin + "\nSubject: " + subject + "\nContent-Type: text/plain; charset=UTF-8\n"
                + "Auto-Submitted: auto-generated\n\n" + body;
        try {
            if (!Files.isExecutable(sendmail)) {
                record(inc, "notify", null, "failed", "no mailer: " + sendmail + " is missing or not executable "
                        + "(set [response] sendmail)");
                return;
            }
            CommandRunner.Result r = runner.run(List.of(sendmail.toString(), "-oi", "--", admin),
                    message.getBytes(StandardCharsets.UTF_8), Map.of(), Duration.ofSeconds(60));
            if (r.ok()) {
                record(inc, "notify", null, "ok", "mailed " + admin + " through " + sendmail);
            } else {
                record(inc, "notify", null, "failed", sendmail + (r.timedOut() ? " timed out" : " exited " + r.exitCode())
                        + ": " + tail(r.output(), 500));
            }
        } catch (IOException | RuntimeException e) {
            record(inc, "notify", null, "failed", String.valueOf(e.getMessage()));
        }
    }

    /** Writes {@code incident-<id>.json} atomically; returns its path (logged, never thrown, on failure). */
    private Path writeReport(Incident inc) {
        Path file = config.monitor().logDir().resolve("incident-" + inc.id + ".json");
        try {
            byte[] bytes;
            synchronized (this) {
                inc.report = file;
                bytes = ForensicJson.bytes(inc.toJson(host, version, dryRun, clock.instant()));
            }
            AtomicFiles.write(file, out -> out.write(bytes));
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot write the incident report {}: {}", file, e.getMessage());
        }
        return file;
    }

    /** The ids of incidents still open, for status. */
    public synchronized List<String> openIncidents() {
        return new ArrayList<>(open.keySet());
    }

    /** Closes every open incident (reports written), waits for the lockdown script, stops the threads. */
    @Override
    public void close() {
        List<Incident> pending;
        synchronized (this) {
            pending = new ArrayList<>(open.values());
            for (Incident i : pending) {
                if (i.closed == null) {
                    i.closed = clock.instant();
                }
            }
            current = null;
        }
        lockdownRunner.shutdown();
        try {
            lockdownRunner.awaitTermination(config.lockdown().lockdownTimeout() + 10L, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        slow.shutdown();
        try {
            slow.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Incident i : pending) {
            if (open.containsKey(i.id)) {
                finish(i);
            }
        }
    }
}
