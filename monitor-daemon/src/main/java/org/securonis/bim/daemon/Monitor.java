package org.securonis.bim.daemon;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.securonis.bim.core.AlertFormat;
import org.securonis.bim.core.Baseline;
import org.securonis.bim.core.Config;
import org.securonis.bim.core.FileRecord;
import org.securonis.bim.core.Finding;
import org.securonis.bim.core.Inspector;
import org.securonis.bim.core.MonitoredFile;
import org.securonis.bim.core.MonitoredSet;
import org.securonis.bim.core.Names;
import org.securonis.bim.core.Outstanding;
import org.securonis.bim.core.ResponsePipeline;
import org.securonis.bim.core.RuntimeFacts;
import org.securonis.bim.core.Source;
import org.securonis.bim.core.Sweep;
import org.securonis.bim.core.SweepProgress;
import org.securonis.bim.core.SweepResult;
import org.securonis.bim.core.Verifier;

/**
 * The daemon's verification side: events and sweeps both end here, in the core's one verification routine,
 * and every finding passes the de-duplication of {@link Outstanding} before it is alerted. Detection never
 * changes the baseline. Thread-safe: called by the event workers and the sweeper.
 */
final class Monitor {

    private static final Logger LOG = LogManager.getLogger(Monitor.class);

    /** The last sweep, for status. */
    record SweepSummary(String trigger, Instant start, long millis, long files, long bytes, int findings,
            int alerted, int unreadable) {
    }

    private volatile Config config;
    private final Clock clock;
    private final BaselineHolder baseline;
    private final Verifier verifier;
    private final Outstanding outstanding;
    private final RuntimeFacts facts;
    private volatile ResponsePipeline pipeline;
    private final Object publishing = new Object();
    private final org.securonis.bim.core.MaintenanceWindow maintenance;
    private final java.util.Set<String> notedInMaintenance = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean inMaintenance;
    private volatile Sweeper sweeper;
    private volatile MonitoredSet set;
    private volatile SweepSummary lastSweep;
    private final AtomicLong eventVerifications = new AtomicLong();
    private final AtomicLong alerts = new AtomicLong();

    Monitor(Config config, Clock clock, BaselineHolder baseline, MonitoredSet set, Outstanding outstanding,
            RuntimeFacts facts) {
        this.config = config;
        this.clock = clock;
        this.baseline = baseline;
        this.verifier = new Verifier(new Inspector(clock, null, NativeOpener.best()), clock);
        this.set = set;
        this.outstanding = outstanding;
        this.facts = facts;
        this.maintenance = new org.securonis.bim.core.MaintenanceWindow(config.monitor().stateDir());
        this.inMaintenance = maintenance.current() != null;
    }

    /**
     * Whether a maintenance window is open now; notices its end (or its expiry, which ends it here) and then asks
     * for a sweep, so whatever `bim maintenance end` did not accept is alerted and answered. Cheap: one read of a
     * small file. Called from the state loop and before publishing.
     */
    boolean maintenance() {
        org.securonis.bim.core.MaintenanceWindow.Open w = maintenance.current();
        if (w != null && w.expired(clock.instant())) {
            LOG.warn("maintenance ({}) begun {} ran past its max_duration: ended here; every change is checked now",
                    Names.escape(w.reason()), w.since());
            try {
                maintenance.end();
            } catch (java.io.IOException e) {
                LOG.error("cannot remove {}: {}", maintenance.file(), e.getMessage());
            }
            w = null;
        }
        boolean open = w != null;
        if (open && !inMaintenance) {
            LOG.warn("maintenance begun ({}): changes are noted, not answered, until it ends", Names.escape(w.reason()));
        }
        if (!open && inMaintenance) {
            LOG.warn("maintenance ended: {} monitored files changed during it; sweeping to alert what was not accepted",
                    notedInMaintenance.size());
            notedInMaintenance.clear();
            Sweeper s = sweeper;
            if (s != null) {
                s.request("maintenance ended");
            }
        }
        inMaintenance = open;
        return open;
    }

    /** Where new findings go; set once at start-up, before any event or sweep. */
    void respondWith(ResponsePipeline pipeline) {
        this.pipeline = pipeline;
        pipeline.setSettler(this::settle);
    }

    private volatile String safeMode;

    /** Why the daemon runs in safe mode (its baseline failed its seal), or null. */
    String safeMode() {
        return safeMode;
    }

    /**
     * The baseline failed its seal: a critical alert ({@code baseline_tampered}, {@code file.path} = the database)
     * answered like a critical change, and safe mode, which {@code status} shows, until an admin re-baselines.
     */
    void baselineTampered(Path database, String why) {
        safeMode = why;
        Finding f = new Finding(org.securonis.bim.core.Action.BASELINE_TAMPERED, database.toString(),
                org.securonis.bim.core.Tier.CRITICAL, null, null, List.of("seal"), Source.EVENT, clock.instant(), null);
        synchronized (publishing) {
            if (outstanding.admit(f)) {
                alerts.incrementAndGet();
                pipeline.respond(f);
            }
        }
    }

    /** The sweeper to ask for a sweep when a maintenance window ends. */
    void sweepWith(Sweeper sweeper) {
        this.sweeper = sweeper;
    }

    /** Applies a reloaded configuration: the next sweep resolves the set with it. */
    void reconfigure(Config next) {
        this.config = next;
    }

    RuntimeFacts facts() {
        return facts;
    }

    /**
     * When the response last changed each path itself (guarded by {@code publishing}): a finding captured before
     * that moment describes a state our own change replaced. Entries older than an hour are dropped.
     */
    private final java.util.Map<String, Instant> settledAt = new java.util.HashMap<>();

    MonitoredSet set() {
        return set;
    }

    Outstanding outstanding() {
        return outstanding;
    }

    SweepSummary lastSweep() {
        return lastSweep;
    }

    long eventVerifications() {
        return eventVerifications.get();
    }

    long alerts() {
        return alerts.get();
    }

    /** Verifies the given paths now (an event's hint); paths neither monitored nor recorded are ignored. */
    void verify(List<String> paths) {
        Baseline b = baseline.current();
        MonitoredSet s = set;
        List<Finding> findings = new ArrayList<>();
        for (String path : paths) {
            if (RuntimeFacts.isOwnTemporary(path)) {
                continue;
            }
            FileRecord record = facts.apply(b.get(path));
            Optional<MonitoredFile> file = s.lookup(path);
            if (file.isEmpty() && record != null) {
                file = Optional.of(s.outside(record));
            }
            if (file.isEmpty()) {
                continue;
            }
            Verifier.Verification v = verifier.verify(file.get(), record, Source.EVENT);
            eventVerifications.incrementAndGet();
            if (v.finding() != null) {
                findings.add(v.finding());
            } else {
                settled(path, v);
            }
        }
        publish(Sweep.pairMoves(findings));
    }

    /** Every recorded path under {@code dir}, for a directory that was deleted or moved away. */
    List<String> recordedUnder(String dir) {
        return baseline.current().pathsUnder(dir);
    }

    /** A full sweep: re-resolves the set (new files join it), verifies everything, alerts what is new. */
    SweepSummary sweep(String trigger) throws InterruptedException {
        Instant start = clock.instant();
        MonitoredSet before = set;
        MonitoredSet s = MonitoredSet.resolve(config.binaries(), FileSystems.getDefault(), NativeLister.best());
        set = s;
        Baseline b = facts.applyTo(baseline.current());
        // Sweeps may be paced (sweep_max_mb_per_s); events never are: an alert must not wait behind a throttle.
        int rate = config.monitor().sweepMaxMbPerS();
        Verifier sweeping = rate == 0 ? verifier : new Verifier(new Inspector(clock,
                org.securonis.bim.core.Throttle.of(rate * 1_000_000L), NativeOpener.best()), clock);
        SweepResult r = new Sweep(sweeping, config.monitor().workers(), clock).run(s, b, Source.SWEEP,
                new SweepProgress(), false);
        int alertsBefore = (int) alerts.get();
        List<Finding> findings = r.findings();
        if (trigger.equals("reload")) {
            findings = quietNewlySelected(findings, before);
        }
        publish(findings);
        // Outstanding changes that this sweep no longer finds (nor failed to read) match their baseline again.
        java.util.Set<String> unsettled = new java.util.HashSet<>();
        r.findings().forEach(f -> {
            unsettled.add(f.path());
            if (f.previousPath() != null) {
                unsettled.add(f.previousPath());
            }
        });
        r.problems().forEach(p -> unsettled.add(p.path()));
        for (Outstanding.Entry e : outstanding.entries()) {
            if (!unsettled.contains(e.path()) && e.action() != org.securonis.bim.core.Action.BASELINE_TAMPERED
                    && outstanding.clear(e.path()) != null) {
                LOG.info("{} matches its baseline again (was {})", Names.escape(e.path()), e.action().label());
            }
        }
        for (SweepResult.Problem p : r.problems()) {
            LOG.warn("unverified {}: {}", Names.escape(p.path()), p.message());
        }
        SweepSummary summary = new SweepSummary(trigger, start, r.duration().toMillis(), r.files(), r.bytes(),
                r.findings().size(), (int) alerts.get() - alertsBefore, r.problems().size());
        lastSweep = summary;
        LOG.info("sweep ({}) done: {} files, {} in {} ms, {} differences ({} new alerts), {} unreadable", trigger,
                r.files(), Sizes.human(r.bytes()), r.duration().toMillis(), r.findings().size(), summary.alerted(),
                r.problems().size());
        return summary;
    }

    /**
     * Gives the heap a sweep grew back to the system. A sweep leaves its observations as garbage, and the heap grown
     * for them stays committed (and resident) until a full collection shrinks it (MaxHeapFreeRatio in etc/bim): one
     * after each sweep, an hour apart, keeps the idle daemon near its live set. Events wait for it (~0.1 s).
     */
    static void returnSweepMemory() {
        System.gc();
    }

    /**
     * After a reload that widened the set, files it now selects are not in the baseline: that is the admin's doing,
     * not tampering. They are noted as outstanding without an alert (so `status` lists them until `bim update`
     * records them) and any later change to them is alerted as usual.
     */
    private List<Finding> quietNewlySelected(List<Finding> findings, MonitoredSet before) {
        List<Finding> out = new ArrayList<>();
        int quiet = 0;
        for (Finding f : findings) {
            if (f.action() == org.securonis.bim.core.Action.CREATED && !before.contains(f.path())) {
                synchronized (publishing) {
                    outstanding.admit(f);
                }
                quiet++;
            } else {
                out.add(f);
            }
        }
        if (quiet > 0) {
            LOG.warn("the reload selects {} files that are not in the baseline; they are watched from now on, and "
                    + "`bim update` records them (until then `bim status` lists them)", quiet);
        }
        return out;
    }

    /**
     * The response changed {@code path} itself (disarmed or restored it): capture the new state and note it
     * without an alert, so our own change is not reported as tampering.
     */
    void settle(String path) {
        FileRecord record = facts.apply(baseline.current().get(path));
        Optional<MonitoredFile> file = set.lookup(path);
        if (file.isEmpty() && record != null) {
            file = Optional.of(set.outside(record));
        }
        if (file.isEmpty()) {
            return;
        }
        Verifier.Verification v = verifier.verify(file.get(), record, Source.EVENT);
        synchronized (publishing) {
            Instant now = Instant.now(clock);
            settledAt.values().removeIf(t -> t.isBefore(now.minus(java.time.Duration.ofHours(1))));
            settledAt.put(path, now);
            if (v.finding() != null) {
                outstanding.admit(v.finding());
            } else if (v.observation().isPresent()) {
                outstanding.clear(path);
            }
        }
    }

    private void settled(String path, Verifier.Verification v) {
        if (v.observation().isFailed()) {
            LOG.warn("unverified {}: {}", Names.escape(path), v.observation().error());
            return;
        }
        Outstanding.Entry e = outstanding.clear(path);
        if (e != null) {
            LOG.info("{} matches its baseline again (was {})", Names.escape(path), e.action().label());
        }
    }

    /** Admits and answers findings one at a time, so a response and the verification it causes never interleave. */
    private void publish(List<Finding> findings) {
        if (!findings.isEmpty() && maintenance()) {
            for (Finding f : findings) {
                if (notedInMaintenance.add(f.path())) {
                    LOG.info("maintenance: {} changed (not answered now; checked when maintenance ends)",
                            AlertFormat.summary(f));
                }
            }
            return;
        }
        for (Finding f : findings) {
            if (RuntimeFacts.isOwnTemporary(f.path())) {
                continue;   // a sweep that listed a restore's temporary file while it existed
            }
            synchronized (publishing) {
                Instant settled = settledAt.get(f.path());
                if (settled != null && f.time().isBefore(settled)) {
                    // Captured before our own disarm or restore of it (a sweep running meanwhile): that state is
                    // gone, and what is there now was verified when it was settled.
                    continue;
                }
                if (outstanding.admit(f)) {
                    alerts.incrementAndGet();
                    pipeline.respond(f);
                }
            }
        }
    }
}
