package org.securonis.bim.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * A full pass over the monitored set and the baseline: every path is captured and compared, on a fixed number
 * of worker threads, largest files first so that the workers finish together.
 *
 * <p>The sweep never stops for one file: a path that cannot be read becomes a problem and keeps its record. A
 * deleted and a created path with the same content, inode and device are paired into one {@code moved}.
 */
public final class Sweep {

    private final Verifier verifier;
    private final int workers;
    private final Clock clock;

    public Sweep(Verifier verifier, int workers, Clock clock) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers (" + workers + ") must be at least 1");
        }
        this.verifier = verifier;
        this.workers = workers;
        this.clock = clock;
    }

    /** Files of this size and more are hashed largest first; smaller ones after them, in path order. */
    static final long LARGE = 1 << 20;

    /** Verifies the set against {@code baseline} (empty for a first capture); blocks until done. */
    public SweepResult run(MonitoredSet set, Baseline baseline, Source source, SweepProgress progress)
            throws InterruptedException {
        return run(set, baseline, source, progress, true);
    }

    /**
     * As {@link #run(MonitoredSet, Baseline, Source, SweepProgress)}; without {@code keepObservations} only the
     * findings and problems are kept (the result's observations are then empty): a daemon's periodic sweep needs
     * no more, and holding a capture of every file for the length of a sweep is what sets its memory high-water.
     */
    public SweepResult run(MonitoredSet set, Baseline baseline, Source source, SweepProgress progress,
            boolean keepObservations) throws InterruptedException {
        try {
            return run(set, CompletableFuture.completedFuture(baseline), source, progress, keepObservations);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a baseline given whole failed to load", e);
        }
    }

    /**
     * As {@link #run(MonitoredSet, Baseline, Source, SweepProgress, boolean)} with a baseline that is still being
     * loaded: the set's files are hashed meanwhile (in path order), and once {@code pending} gives the baseline the
     * rest are taken largest first, the paths only the baseline has are added, and every capture is compared with
     * its record. A command that reads its baseline and walks its set anew each time so spends that time hashing.
     *
     * @throws ExecutionException when {@code pending} fails (its cause says why); the workers are stopped first
     */
    public SweepResult run(MonitoredSet set, Future<Baseline> pending, Source source, SweepProgress progress,
            boolean keepObservations) throws InterruptedException, ExecutionException {
        Instant start = Instant.now(clock);
        MonitoredFile[] members = set.files().values().toArray(new MonitoredFile[0]);
        Work work = new Work(members, pending.isDone() ? null : members.length);
        progress.start(members.length, 0);
        Baseline known = pending.isDone() ? pending.get() : null;
        if (known != null) {
            work.plan(known, set, progress);
        }
        Slots slots = new Slots(members.length, keepObservations);
        long bytesBefore = verifier.inspector().bytesHashed();
        Runnable worker = () -> {
            while (true) {
                Work.Item item;
                try {
                    item = work.take();
                } catch (InterruptedException e) {
                    return; // stopped: the sweep is being given up
                }
                if (item == null || Thread.currentThread().isInterrupted()) {
                    return;
                }
                Baseline b = work.baseline;
                Observation now;
                if (b != null) {
                    Verifier.Verification v = verifier.verify(item.file(), b.get(item.file().path()), source);
                    now = v.observation();
                    slots.put(item.index(), v);
                } else {
                    now = verifier.inspector().capture(item.file());
                    slots.hold(item.index(), now, Instant.now(clock));
                }
                progress.done(now.state() == null ? 0 : now.state().size());
            }
        };
        int n = Math.min(workers, Math.max(1, members.length + (known == null ? 1 : known.size())));
        List<Thread> threads = new ArrayList<>(n);
        for (int t = 0; t < n; t++) {
            Thread th = new Thread(worker, "bim-sweep-" + t);
            th.setDaemon(true);
            threads.add(th);
            th.start();
        }
        Baseline baseline;
        try {
            baseline = known != null ? known : pending.get();
            if (known == null) {
                work.plan(baseline, set, progress);
            }
            for (Thread th : threads) {
                th.join();
            }
        } catch (InterruptedException | ExecutionException | RuntimeException e) {
            work.stop();
            threads.forEach(Thread::interrupt);
            throw e;
        }

        List<Finding> findings = new ArrayList<>();
        List<SweepResult.Problem> problems = new ArrayList<>();
        Map<String, Observation> observations = new HashMap<>();
        for (int i = 0; i < work.size(); i++) {
            MonitoredFile f = work.file(i);
            Verifier.Verification v = slots.verification(i, f, baseline, verifier, source);
            if (v == null) {
                throw new IllegalStateException("a sweep worker left " + f.path() + " unverified");
            }
            if (keepObservations) {
                observations.put(f.path(), v.observation());
            }
            if (v.finding() != null) {
                findings.add(v.finding());
            }
            if (v.observation().isFailed()) {
                problems.add(new SweepResult.Problem(f.path(), v.observation().error()));
            }
        }
        findings = pairMoves(findings);
        findings.sort(Comparator.comparing(Finding::path));
        problems.sort(Comparator.comparing(SweepResult.Problem::path));
        long bytes = verifier.inspector().bytesHashed() - bytesBefore;
        return new SweepResult(findings, problems, observations, work.size(), bytes,
                Duration.between(start, Instant.now(clock)));
    }

    /**
     * What the workers take, one path at a time: the set's members in path order until the baseline is known, then
     * what is left of them and the paths only the baseline has, largest first (so that the workers end together).
     */
    private static final class Work {

        record Item(int index, MonitoredFile file) {
        }

        private final MonitoredFile[] members;
        /** The baseline once planned: a worker that sees it compares at once and keeps no capture. */
        volatile Baseline baseline;
        private MonitoredFile[] extra = new MonitoredFile[0];
        private int[] order;
        private int next;
        private boolean stopped;

        /** {@code unplanned}: take the members in path order until {@link #plan}; null: wait for the plan. */
        Work(MonitoredFile[] members, Integer unplanned) {
            this.members = members;
            this.order = new int[unplanned == null ? 0 : unplanned];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
        }

        /** The next path, null when all are taken; waits while all members are taken and the plan is to come. */
        synchronized Item take() throws InterruptedException {
            while (!stopped && next >= order.length && baseline == null) {
                wait();
            }
            if (stopped || next >= order.length) {
                return null;
            }
            int i = order[next++];
            return new Item(i, file(i));
        }

        synchronized void stop() {
            stopped = true;
            notifyAll();
        }

        /** Adds the baseline's other paths and orders what no worker has taken yet, largest first. */
        synchronized void plan(Baseline b, MonitoredSet set, SweepProgress progress) {
            if (set.size() + b.size() >= 1 << 22) {
                throw new IllegalArgumentException("a sweep of " + (set.size() + b.size())
                        + " paths is more than the 4,194,304 one sweep can order");
            }
            List<MonitoredFile> others = new ArrayList<>();
            for (FileRecord r : b.files().values()) {
                if (!set.contains(r.path())) {
                    others.add(set.lookup(r.path()).orElseGet(() -> set.outside(r)));
                }
            }
            extra = others.toArray(new MonitoredFile[0]);
            boolean[] taken = new boolean[size()];
            for (int k = 0; k < next; k++) {
                taken[order[k]] = true;
            }
            long[] sizes = new long[size()];
            long total = 0;
            int left = 0;
            for (int i = 0; i < sizes.length; i++) {
                FileRecord r = b.get(file(i).path());
                sizes[i] = r == null ? 0 : r.size();
                total += sizes[i];
                if (!taken[i]) {
                    left++;
                }
            }
            // Only the large files need ordering (one under 1 MiB hashes in under a millisecond); they are sorted
            // as primitive keys (size above, index below 22 bits: no boxing), and the small ones follow in path
            // order, which spares a cold JVM sorting 100,000 keys.
            int large = 0;
            for (int i = 0; i < sizes.length; i++) {
                if (!taken[i] && sizes[i] >= LARGE) {
                    large++;
                }
            }
            long[] keys = new long[large];
            int[] rest = new int[left];
            int small = large;
            for (int i = 0, k = 0; i < sizes.length; i++) {
                if (taken[i]) {
                    continue;
                }
                if (sizes[i] >= LARGE) {
                    keys[k++] = (Math.min(sizes[i], (1L << 41) - 1) << 22) | i;
                } else {
                    rest[small++] = i;
                }
            }
            Arrays.sort(keys);
            for (int k = 0; k < large; k++) {
                rest[k] = (int) (keys[large - 1 - k] & ((1 << 22) - 1));
            }
            order = rest;
            next = 0;
            progress.start(sizes.length, total);
            baseline = b;
            notifyAll();
        }

        /** All paths: the members, then the baseline's others (known once planned). */
        synchronized int size() {
            return members.length + extra.length;
        }

        synchronized MonitoredFile file(int i) {
            return i < members.length ? members[i] : extra[i - members.length];
        }
    }

    /**
     * Each path's outcome, written by the one worker that took it and read after every worker has ended: a whole
     * verification, or (kept only when asked) its finding and error, or a capture held until the baseline is known.
     */
    private static final class Slots {
        private final boolean keep;
        private final int members;
        private final Map<Integer, Object> late = new java.util.concurrent.ConcurrentHashMap<>();
        private final Object[] early;

        Slots(int members, boolean keep) {
            this.members = members;
            this.keep = keep;
            this.early = new Object[members];
        }

        private void set(int i, Object o) {
            if (i < members) {
                early[i] = o;
            } else {
                late.put(i, o);
            }
        }

        private Object get(int i) {
            return i < members ? early[i] : late.get(i);
        }

        void put(int i, Verifier.Verification v) {
            set(i, keep ? v : new Verifier.Verification(v.file(), null, slim(v.observation()), v.finding()));
        }

        void hold(int i, Observation now, Instant time) {
            set(i, new Held(now, time));
        }

        Verifier.Verification verification(int i, MonitoredFile file, Baseline b, Verifier verifier, Source source) {
            Object o = get(i);
            if (o instanceof Held h) {
                return verifier.compare(file, b.get(file.path()), h.observation(), source, h.time());
            }
            return (Verifier.Verification) o;
        }

        // A capture with nothing but its error (when it failed): what a sweep that keeps no captures reports.
        private static Observation slim(Observation o) {
            return o.isFailed() ? o : Observation.missing(o.path(), o.tier());
        }

        private record Held(Observation observation, Instant time) {
        }
    }

    /** Joins each deleted record with a created file that is the same object (content, inode, device, mtime). */
    public static List<Finding> pairMoves(List<Finding> findings) {
        Map<String, Finding> deleted = new HashMap<>();
        for (Finding f : findings) {
            if (f.action() == Action.DELETED) {
                deleted.putIfAbsent(identity(f.previous()), f);
            }
        }
        if (deleted.isEmpty()) {
            return new ArrayList<>(findings);
        }
        List<Finding> out = new ArrayList<>();
        List<Finding> used = new ArrayList<>();
        for (Finding f : findings) {
            if (f.action() == Action.CREATED) {
                Finding d = deleted.remove(identity(f.current()));
                if (d != null) {
                    used.add(d);
                    out.add(new Finding(Action.MOVED, f.path(), f.tier(), d.previous(), f.current(), List.of("path"),
                            f.source(), f.time(), d.path()));
                    continue;
                }
            }
            out.add(f);
        }
        for (Iterator<Finding> it = out.iterator(); it.hasNext(); ) {
            Finding f = it.next();
            if (used.stream().anyMatch(u -> u == f)) {
                it.remove();
            }
        }
        return out;
    }

    private static String identity(FileRecord r) {
        // A rename keeps inode and mtime; a new file that reuses a freed inode gets a new mtime.
        return r.type() + ":" + r.device() + ":" + r.inode() + ":" + r.mtime() + ":" + r.sha256() + ":" + r.target();
    }
}
