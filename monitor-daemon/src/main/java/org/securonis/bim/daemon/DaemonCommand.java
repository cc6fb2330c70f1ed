package org.securonis.bim.daemon;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.securonis.bim.core.AlertFormat;
import org.securonis.bim.core.Baseline;
import org.securonis.bim.core.Config;
import org.securonis.bim.core.MonitoredSet;
import org.securonis.bim.core.Names;
import org.securonis.bim.core.Outstanding;
import org.securonis.bim.core.ResponsePipeline;
import org.securonis.bim.core.RuntimeFacts;
import org.securonis.bim.core.SweepResult;
import org.securonis.bim.linux.NativeException;
import org.securonis.bim.linux.TreeWatcher;
import org.securonis.bim.linux.WatchSpec;
import org.securonis.bim.linux.WatcherStats;

/**
 * {@code bim daemon [--dry-run]}: the service. Real-time watch through inotify, a sweep at start-up and every
 * {@code interval}, both verified by the core's one routine and alerted once per change.
 *
 * <p>Start-up order, each step for a reason: logs first (everything after is worth a line); the baseline next
 * (recorded on a first run, never replaced when it exists but fails to load); watches before the start-up sweep,
 * with events buffered, so nothing that changes during the sweep is missed; the buffer replayed after the sweep.
 * Stop order: the watcher first (no new events), then the event workers (finishing the verification in hand),
 * then the sweeper (an in-flight sweep is interrupted: the next start sweeps again), the state last, so it
 * describes what really stopped.
 */
final class DaemonCommand {

    private static final Logger LOG = LogManager.getLogger(DaemonCommand.class);
    private static final int EVENT_WORKERS = 2;
    private static final int PENDING_CAPACITY = 65_536;

    private final Invocation inv;
    /** The configuration in force: the loaded one, then each accepted reload. */
    private volatile Config config;
    private List<WatchSpec> specs = List.of();
    private WatchSpec configSpec;
    private final java.util.concurrent.ScheduledExecutorService control =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "bim-control");
                t.setDaemon(true);
                return t;
            });
    private final java.util.concurrent.atomic.AtomicBoolean reloadPending = new java.util.concurrent.atomic.AtomicBoolean();
    private final boolean dryRun;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch ready = new CountDownLatch(1);
    private final boolean signals;
    private final Instant startedAt;
    private DaemonState state;
    private Monitor monitor;
    private PendingPaths pending;
    private Sweeper sweeper;
    private EventIntake intake;
    private TreeWatcher watcher;
    private volatile HardLinkWatch hardLinks;
    private MountWatch mounts;
    private ResponsePipeline pipeline;
    private volatile String tamperedAtStart;
    private volatile BaselineHolder holder;
    private org.securonis.bim.linux.SystemdNotifier notifier;
    private String lastStatus;
    private final RateLimit notifyFailures = new RateLimit(3, TimeUnit.MINUTES.toNanos(10));
    private final List<Thread> workers = new ArrayList<>();
    private Thread stateWriter;

    DaemonCommand(Invocation inv, boolean signals) {
        this.inv = inv;
        this.signals = signals;
        this.dryRun = inv.line.has("--dry-run");
        this.config = inv.config;
        this.startedAt = inv.clock.instant();
    }

    static int run(Invocation inv) throws UsageException {
        return new DaemonCommand(inv, true).serve();
    }

    /** Blocks until the daemon watches and has swept once; false on timeout. For tests and readiness. */
    boolean awaitReady(long seconds) throws InterruptedException {
        return ready.await(seconds, TimeUnit.SECONDS);
    }

    /** Asks the serving thread for the orderly stop, as SIGTERM does. */
    void requestStop() {
        stopRequested.countDown();
    }

    EventIntake intake() {
        return intake;
    }

    /** Runs the service until a stop is requested; returns the exit code. */
    int serve() throws UsageException {
        inv.ensureStateDir();
        Path logDir = inv.config.monitor().logDir();
        try {
            Files.createDirectories(logDir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UsageException(ExitCode.WRITE_ERROR, "cannot create log_dir " + logDir + ": " + e.getMessage()
                    + " (point log_dir elsewhere with --config FILE)");
        }
        Logging.configure(logDir, inv.config.monitor().logLevel());
        state = new DaemonState(inv.config.monitor().stateDir());
        long other = state.runningPid();
        if (other > 0 && other != ProcessHandle.current().pid()) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT, "another bim daemon (pid " + other + ") already runs "
                    + "for " + inv.config.monitor().stateDir());
        }
        LOG.info("bim {} daemon starting (config {}, {} workers{})", Main.version(), inv.configName(),
                inv.config.monitor().workers(), dryRun ? ", dry run: detect, log and keep evidence only" : "");

        BaselineHolder holder;
        try {
            Baseline first = loadOrRecord();
            holder = new BaselineHolder(inv.verifyingStore(), first);
            this.holder = holder;
        } catch (IOException e) {
            throw new UsageException(ExitCode.IO_ERROR, "cannot stat the baseline " + inv.store().path() + ": "
                    + e.getMessage());
        }
        try {
            state.writePid();
        } catch (IOException e) {
            throw new UsageException(ExitCode.WRITE_ERROR, "cannot write the pid file " + state.pidFile() + ": "
                    + e.getMessage());
        }
        try {
            notifier = org.securonis.bim.linux.SystemdNotifier.fromEnvironment(System.getenv()).orElse(null);
        } catch (NativeException | IllegalArgumentException e) {
            LOG.warn("cannot talk to systemd ($NOTIFY_SOCKET): {}; running without readiness and watchdog",
                    e.getMessage());
        }
        Thread hook = new Thread(this::stopFromHook, "bim-shutdown");
        if (signals) {
            Signals.installStop(stopRequested::countDown);
            // Any other way out of the JVM (System.exit, a signal we do not handle) still stops in order.
            Runtime.getRuntime().addShutdownHook(hook);
        }
        try {
            // Roots only: the start-up sweep walks the set; events wait for it (they are buffered meanwhile).
            MonitoredSet roots = MonitoredSet.rootsOnly(inv.config.binaries(), java.nio.file.FileSystems.getDefault());
            roots.warnings().forEach(w -> LOG.warn("{}", Names.escape(w)));
            monitor = new Monitor(inv.config, inv.clock, holder, roots, new Outstanding(state.outstanding()),
                    new RuntimeFacts(state.restored()));
            pipeline = Response.pipeline(inv, dryRun, monitor.facts());
            monitor.respondWith(pipeline);
            // Accepted changes leave the outstanding list as soon as the new baseline is taken, not at the next sweep.
            holder.onReloaded(() -> {
                List<String> paths = new ArrayList<>();
                monitor.outstanding().entries().forEach(en -> paths.add(en.path()));
                if (!paths.isEmpty() && pending != null) {
                    pending.offer(paths, System.nanoTime());
                }
            });
            holder.onRefused(e -> {
                if (e instanceof org.securonis.bim.core.SealException) {
                    monitor.baselineTampered(inv.config.monitor().databasePath(), e.getMessage());
                }
            });
            pending = new PendingPaths(PENDING_CAPACITY, true);
            sweeper = new Sweeper(trigger -> {
                monitor.sweep(trigger);
                HardLinkWatch h = hardLinks;
                if (h != null) {
                    h.learn(monitor.set()); // members come and go, inodes change: known anew after every sweep
                }
            }, inv.config.monitor().interval());
            monitor.sweepWith(sweeper);
            intake = new EventIntake(pending, monitor, sweeper,
                    inv.config.source() == null ? null : inv.config.source().toString(), () -> requestReload("file changed"));
            if (tamperedAtStart != null) {
                monitor.baselineTampered(inv.config.monitor().databasePath(), tamperedAtStart);
            }
            startWatcher(roots);
            roots = null;
            monitor.sweep("start-up");
            hardLinks = HardLinkWatch.start(monitor.set(), pending, sweeper);
            mounts = MountWatch.start(monitor::set, pending, sweeper, () -> {
                TreeWatcher w = watcher;
                if (w != null) {
                    w.rewatch();
                }
            });
            Monitor.returnSweepMemory();
            pending.resume();
            for (int i = 0; i < EVENT_WORKERS; i++) {
                Thread t = new Thread(this::work, "bim-event-" + i);
                t.setDaemon(true);
                workers.add(t);
                t.start();
            }
            sweeper.start();
            stateWriter = new Thread(this::writeStateLoop, "bim-state");
            stateWriter.setDaemon(true);
            stateWriter.start();
            if (signals) {
                Signals.install(sweeper, () -> requestReload("SIGHUP"));
            }
            writeState(true);
            notifySystemd("READY=1\nSTATUS=" + statusLine());
            if (notifier != null) {
                notifier.watchdogInterval().ifPresent(every -> control.scheduleAtFixedRate(this::watchdog, 0,
                        every.toMillis(), TimeUnit.MILLISECONDS));
            }
            LOG.info("watching {} files in {} directories{}", monitor.set().size(), watcher == null ? 0
                    : watcher.stats().watchedDirectories(), watcher == null ? " (sweeps only)" : "");
            ready.countDown();
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop();
        return ExitCode.OK;
    }

    private Baseline loadOrRecord() throws UsageException {
        if (inv.store().exists()) {
            try {
                return inv.loadBaseline();
            } catch (UsageException e) {
                if (!e.getMessage().startsWith("BASELINE TAMPERED")) {
                    throw e;
                }
                // Fail safe, not dead: keep watching and sweeping against what the file says, every file counted as
                // unverified, the file itself kept as evidence (nothing here writes it), until an admin re-baselines.
                tamperedAtStart = e.getMessage();
                LOG.error("{}: SAFE MODE: watching and sweeping on, every file unverified until `bim init --force` "
                        + "records a new baseline", e.getMessage());
                try {
                    return inv.store().load();
                } catch (org.securonis.bim.core.BaselineException unreadable) {
                    throw new UsageException(ExitCode.IO_ERROR, e.getMessage() + "; and it does not load either: "
                            + unreadable.getMessage());
                }
            }
        }
        if (inv.signing()) {
            // The daemon verifies but never signs: the private key is the admin's, not the service's.
            throw new UsageException(ExitCode.IO_ERROR, "no baseline at " + inv.config.monitor().databasePath()
                    + ", and baselines must be signed (monitor.signing_public_key " + inv.config.monitor()
                    .signingPublicKey() + "): the daemon verifies but never signs; record one with `bim init "
                    + "--signing-key FILE`, then start the daemon");
        }
        try (AutoCloseable lock = inv.lock()) {
            if (inv.store().exists()) {
                return inv.loadBaseline();
            }
            MonitoredSet set = inv.resolveQuietly();
            Instant now = inv.clock.instant();
            SweepResult r = inv.sweep(set, Baseline.empty(now), "init");
            Baseline b = Baseline.of(now, now, InitCommand.recordsOf(r));
            inv.save(b);
            // Known-good copies as init keeps them, so that a restore has something to restore from.
            Backups.keep(inv, b);
            LOG.warn("no baseline at {}: recorded one of {} files now (first run); review it, this state is what "
                    + "is trusted from here on", inv.config.monitor().databasePath(), b.size());
            for (SweepResult.Problem p : r.problems()) {
                LOG.warn("not recorded: {}: {}", Names.escape(p.path()), p.message());
            }
            return b;
        } catch (UsageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new UsageException(ExitCode.WRITE_ERROR, "cannot release the baseline lock: " + e.getMessage());
        }
    }

    private void startWatcher(MonitoredSet set) {
        specs = specsOf(set);
        List<WatchSpec> all = new ArrayList<>(specs);
        if (inv.config.source() != null && inv.config.source().getParent() != null) {
            // The configuration's directory too: an edit of the file is noticed and reloaded without a signal.
            configSpec = new WatchSpec(inv.config.source().getParent(), false);
            all.add(configSpec);
        }
        long t0 = System.nanoTime();
        try {
            watcher = TreeWatcher.start(all, intake);
            WatcherStats s = watcher.stats();
            LOG.info("watches installed on {} directories in {} ms", s.watchedDirectories(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            s.failedDirectories().forEach((dir, why) -> LOG.warn("not watched (sweeps cover it): {}: {}",
                    Names.escape(dir.toString()), why));
        } catch (NativeException | RuntimeException | LinkageError e) {
            LOG.error("real-time watch unavailable ({}); every file stays covered by the sweep every {} s",
                    e.getMessage(), inv.config.monitor().interval());
            watcher = null;
        }
    }

    private static List<WatchSpec> specsOf(MonitoredSet set) {
        List<WatchSpec> out = new ArrayList<>();
        for (MonitoredSet.WatchRoot r : set.watchRoots()) {
            out.add(new WatchSpec(Path.of(r.path()), r.recursive()));
        }
        return out;
    }

    /** Asks for a reload soon (editors write in several steps: the last of a burst wins); returns at once. */
    void requestReload(String trigger) {
        if (reloadPending.compareAndSet(false, true)) {
            try {
                control.schedule(() -> {
                    reloadPending.set(false);
                    reload(trigger);
                }, 300, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                reloadPending.set(false);
            }
        }
    }

    /**
     * Reloads the configuration file: validated first, a refusal logged with file:line:column while the running
     * configuration stays; an accepted one applied without a restart (watches added and removed, interval,
     * responses, log level) and logged with what changed. Runs on "bim-control".
     */
    private void reload(String trigger) {
        Config old = config;
        if (old.source() == null) {
            LOG.warn("reload ({}): running on built-in defaults, no file to reload", trigger);
            return;
        }
        Config next;
        try {
            next = org.securonis.bim.core.ConfigLoader.load(old.source());
        } catch (org.securonis.bim.core.ConfigException e) {
            LOG.error("reload ({}) refused, the running configuration stays:", trigger);
            e.problems().forEach(p -> LOG.error("  {}", Names.escape(p)));
            return;
        }
        List<String> changes = org.securonis.bim.core.ConfigDiff.between(old, next);
        if (changes.isEmpty()) {
            LOG.info("reload ({}): {} has not changed", trigger, old.source());
            return;
        }
        if (!next.monitor().databasePath().equals(old.monitor().databasePath())
                || !next.monitor().logDir().equals(old.monitor().logDir())
                || !next.monitor().keyPath().equals(old.monitor().keyPath())
                || !java.util.Objects.equals(next.monitor().signingPublicKey(), old.monitor().signingPublicKey())) {
            // The baseline's keys are loaded once, at start-up: a reload that swapped them would not be applied.
            LOG.error("reload ({}) refused: database_path, log_dir, key_path and signing_public_key change only with "
                    + "a restart; the running configuration stays", trigger);
            return;
        }
        config = next;
        monitor.reconfigure(next);
        pipeline.reconfigure(next);
        sweeper.setInterval(next.monitor().interval());
        if (!next.monitor().logLevel().equals(old.monitor().logLevel())) {
            org.apache.logging.log4j.core.config.Configurator.setRootLevel(
                    org.apache.logging.log4j.Level.toLevel(next.monitor().logLevel()));
        }
        if (watcher != null) {
            List<WatchSpec> wanted = specsOf(MonitoredSet.rootsOnly(next.binaries(), java.nio.file.FileSystems.getDefault()));
            List<WatchSpec> added = new ArrayList<>(wanted);
            added.removeAll(specs);
            List<WatchSpec> removed = new ArrayList<>(specs);
            removed.removeAll(wanted);
            removed.remove(configSpec);
            if (!added.isEmpty()) {
                watcher.addSpecs(added);
            }
            if (!removed.isEmpty()) {
                watcher.removeSpecs(removed);
            }
            specs = wanted;
            if (!added.isEmpty() || !removed.isEmpty()) {
                LOG.info("reload: now watching {} more and {} fewer roots", added.size(), removed.size());
            }
        }
        LOG.warn("reload ({}) applied: {}", trigger, String.join("; ", changes));
        sweeper.request("reload");
    }

    private void work() {
        while (true) {
            List<String> paths;
            try {
                paths = pending.take(256);
            } catch (InterruptedException e) {
                return;
            }
            if (paths.isEmpty()) {
                return;
            }
            try {
                monitor.verify(paths);
                HardLinkWatch h = hardLinks;
                if (h != null) {
                    h.refresh(paths, monitor.set());
                }
            } catch (RuntimeException e) {
                LOG.error("verification of {} paths failed", paths.size(), e);
            } finally {
                pending.done(paths);
            }
        }
    }

    private void writeStateLoop() {
        while (stopped.getCount() > 0) {
            try {
                if (stopped.await(2, TimeUnit.SECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            monitor.maintenance();
            // An edit of the baseline is noticed within this loop's period even when no file event comes.
            holder.current();
            writeState(true);
            String status = statusLine();
            if (!status.equals(lastStatus)) {
                lastStatus = status;
                notifySystemd("STATUS=" + status);
            }
        }
    }

    /** The one-line state systemctl status shows. */
    private String statusLine() {
        Monitor.SweepSummary last = monitor.lastSweep();
        WatcherStats ws = watcher == null ? null : watcher.stats();
        return "watching " + monitor.set().size() + " files in " + (ws == null ? 0 : ws.watchedDirectories())
                + " directories" + (ws == null || !ws.alive() ? " (sweeps only)" : "")
                + (last == null ? "" : "; last sweep " + AlertFormat.time(last.start()) + " (" + last.trigger() + ", "
                + last.millis() + " ms, " + last.findings() + " differences)")
                + "; " + monitor.outstanding().size() + " outstanding"
                + (new org.securonis.bim.core.LockdownState(config.monitor().stateDir()).active() != null
                        ? "; LOCKDOWN" : "");
    }

    /**
     * WATCHDOG=1 only while the daemon can do its job: the sweeper and every event worker alive. A dead inotify
     * reader is not a reason to be restarted (sweeps still cover everything, and status says so).
     */
    private void watchdog() {
        boolean workersAlive = workers.stream().allMatch(Thread::isAlive);
        if (workersAlive && sweeper.alive()) {
            notifySystemd("WATCHDOG=1");
        } else {
            LOG.error("watchdog withheld: {} is not running; systemd will restart the service",
                    workersAlive ? "the sweeper" : "an event worker");
        }
    }

    private void notifySystemd(String message) {
        org.securonis.bim.linux.SystemdNotifier n = notifier;
        if (n == null) {
            return;
        }
        try {
            n.send(message);
        } catch (NativeException | IllegalStateException e) {
            if (notifyFailures.allow()) {
                LOG.warn("cannot notify systemd: {}", e.getMessage());
            }
        }
    }

    private synchronized void writeState(boolean running) {
        if (monitor == null) {
            return;
        }
        ObjectNode d = StateFile.object();
        d.put("running", running);
        d.put("pid", ProcessHandle.current().pid());
        d.put("started", AlertFormat.time(startedAt));
        d.put("updated", AlertFormat.time(inv.clock.instant()));
        d.put("config", inv.configName());
        d.put("dry_run", dryRun);
        d.put("safe_mode", monitor.safeMode());
        d.put("files", monitor.set().size());
        WatcherStats ws = watcher == null ? null : watcher.stats();
        d.put("realtime", ws != null && ws.alive());
        d.put("watched_directories", ws == null ? 0 : ws.watchedDirectories());
        HardLinkWatch h = hardLinks;
        d.put("inode_watch", h != null);
        d.put("inode_watch_files", h == null ? 0 : h.size());
        d.put("inode_watch_changes", h == null ? 0 : h.matched());
        ArrayNode unwatched = d.putArray("unwatched");
        if (ws == null) {
            unwatched.add("all (real-time watch unavailable: sweeps only)");
        } else {
            for (Map.Entry<Path, String> e : ws.failedDirectories().entrySet()) {
                unwatched.add(e.getKey() + ": " + e.getValue());
            }
        }
        org.securonis.bim.core.MaintenanceWindow.Open mw =
                new org.securonis.bim.core.MaintenanceWindow(config.monitor().stateDir()).current();
        d.put("maintenance", mw == null ? null : "since " + AlertFormat.time(mw.since()) + " (" + mw.reason() + ")");
        d.put("events", intake.events());
        d.put("overflows", intake.overflows());
        d.put("pending_events", pending.size());
        d.put("event_verifications", monitor.eventVerifications());
        d.put("alerts", monitor.alerts());
        d.put("sweeps", sweeper.sweeps());
        Monitor.SweepSummary last = monitor.lastSweep();
        if (last != null) {
            ObjectNode s = d.putObject("last_sweep");
            s.put("trigger", last.trigger());
            s.put("time", AlertFormat.time(last.start()));
            s.put("duration_ms", last.millis());
            s.put("files", last.files());
            s.put("bytes", last.bytes());
            s.put("differences", last.findings());
            s.put("new_alerts", last.alerted());
            s.put("unreadable", last.unreadable());
        }
        d.putPOJO("open_incidents", pipeline == null ? java.util.List.of() : pipeline.openIncidents());
        try {
            state.write(d, monitor.outstanding(), monitor.facts());
        } catch (IOException e) {
            LOG.warn("cannot write {}: {}", state.pidFile().resolveSibling(StateFile.NAME), e.getMessage());
        }
    }

    private void stopFromHook() {
        stopRequested.countDown();
        try {
            // The JVM halts when the hooks return: wait for the orderly stop the main thread is running.
            stopped.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void stop() {
        if (stopped.getCount() == 0) {
            return;
        }
        LOG.info("stopping");
        notifySystemd("STOPPING=1");
        control.shutdownNow();
        if (watcher != null) {
            watcher.close();
        }
        if (hardLinks != null) {
            hardLinks.close();
        }
        if (mounts != null) {
            mounts.close();
        }
        if (pending != null) {
            pending.close();
        }
        for (Thread t : workers) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (sweeper != null) {
            try {
                sweeper.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // After every source of findings has stopped: open incidents are closed and reported. A failure here is
        // logged, and the stop goes on: the state and the pid file must still be written and removed.
        if (pipeline != null) {
            try {
                pipeline.close();
            } catch (RuntimeException e) {
                LOG.error("closing the response pipeline failed", e);
            }
        }
        try {
            writeState(false);
        } catch (RuntimeException e) {
            LOG.error("writing the final state failed", e);
        }
        try {
            state.removePid();
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", state.pidFile(), e.getMessage());
        }
        LOG.info("stopped");
        if (notifier != null) {
            notifier.close();
        }
        stopped.countDown();
        Logging.shutdown();
    }
}
