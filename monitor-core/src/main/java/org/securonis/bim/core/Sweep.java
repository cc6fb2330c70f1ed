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
     * its record.
     *
     * @throws ExecutionException when {@code pending} fails (its cause says why); the workers are stopped first
     */
    public SweepResult run(MonitoredSet set, Future<Baseline> pending, Source source, SweepProgress progress,
            boolean keepObservations) throws InterruptedException, ExecutionException {
        Running running = start(pending, source, progress, keepObservations);
        try {
            for (MonitoredFile f : set.files().values()) {
                running.offer(f);
            }
        } catch (RuntimeException e) {
            running.abandon();
            throw e;
        }
        return running.finish(set);
    }

    /**
     * Starts a sweep before its set is known: its workers hash each member {@link Running#offer offered} (the walk
     * gives them as it finds them) while {@code pending} is still loading; {@link Running#finish} takes the whole
     * set. A command that walks its set and reads its baseline anew each time so spends both hashing.
     */
    public Running start(Future<Baseline> pending, Source source, SweepProgress progress, boolean keepObservations) {
        return new Running(pending, source, progress, keepObservations);
    }

    /** A sweep under way; one thread offers and finishes it. */
    public final class Running {
        private final Instant start = Instant.now(clock);
        private final Future<Baseline> pending;
        private final Source source;
        private final SweepProgress progress;
        private final boolean keep;
        private final Work work = new Work();
        private final long bytesBefore = verifier.inspector().bytesHashed();
        private final List<Thread> threads = new ArrayList<>();

        private Running(Future<Baseline> pending, Source source, SweepProgress progress, boolean keep) {
            this.pending = pending;
            this.source = source;
            this.progress = progress;
            this.keep = keep;
            progress.start(0, 0);
            for (int t = 0; t < workers; t++) {
                Thread th = new Thread(this::work, "bim-sweep-" + t);
                th.setDaemon(true);
                threads.add(th);
                th.start();
            }
        }

        /** A member of the set, found: hashed as soon as a worker is free. */
        public void offer(MonitoredFile file) {
            progress.start(work.offer(file), 0);
        }

        /** The whole set (every member offered): the sweep ends once the baseline is in; blocks until then. */
        public SweepResult finish(MonitoredSet set) throws InterruptedException, ExecutionException {
            Baseline baseline;
            try {
                baseline = pending.get();
                work.plan(baseline, set, progress);
                for (Thread th : threads) {
                    th.join();
                }
            } catch (InterruptedException | ExecutionException | RuntimeException e) {
                abandon();
                throw e;
            }
            List<Finding> findings = new ArrayList<>();
            List<SweepResult.Problem> problems = new ArrayList<>();
            Map<String, Observation> observations = new HashMap<>();
            for (int i = 0; i < work.size(); i++) {
                MonitoredFile f = work.file(i);
                Verifier.Verification v = work.verification(i, f, baseline, verifier, source);
                if (v == null) {
                    throw new IllegalStateException("a sweep worker left " + f.path() + " unverified");
                }
                if (keep) {
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

        /** Gives the sweep up: the workers stop after the file each is on. */
        public void abandon() {
            work.stop();
            threads.forEach(Thread::interrupt);
        }

        private void work() {
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
                Baseline b = known();
                Observation now;
                if (b != null) {
                    Verifier.Verification v = verifier.verify(item.file(), b.get(item.file().path()), source);
                    now = v.observation();
                    work.put(item.index(), keep ? v
                            : new Verifier.Verification(v.file(), null, slim(v.observation()), v.finding()));
                } else {
                    now = verifier.inspector().capture(item.file());
                    work.put(item.index(), new Held(now, Instant.now(clock)));
                }
                progress.done(now.state() == null ? 0 : now.state().size());
            }
        }

        /** The baseline once it is in (planned or not), else null: a capture then waits for it. */
        private Baseline known() {
            Baseline b = work.baseline;
            if (b == null && pending.isDone()) {
                try {
                    b = pending.get();
                    work.baseline = b;
                } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                    return null; // finish() says why
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            return b;
        }
    }

    // A capture with nothing but its error (when it failed): what a sweep that keeps no captures reports.
    private static Observation slim(Observation o) {
        return o.isFailed() ? o : Observation.missing(o.path(), o.tier());
    }

    /** A capture taken before the baseline was in, and when. */
    private record Held(Observation observation, Instant time) {
    }

    /**
     * What the workers take, one path at a time, and what they leave: the members in the order offered until the
     * plan, then what is left of them and the paths only the baseline has, largest first (so that the workers end
     * together). Each path's outcome is written by the one worker that took it, and read after every worker ended.
     */
    private static final class Work {

        record Item(int index, MonitoredFile file) {
        }

        private static final int MAX_PATHS = 1 << 22;
        private static final int CHUNK = 4096;
        /** The outcomes, by index, in chunks made (under the lock) before any index in them is handed out. */
        private final Object[][] outcomes = new Object[MAX_PATHS / CHUNK][];
        private final List<MonitoredFile> members = new ArrayList<>();
        private MonitoredFile[] extra = new MonitoredFile[0];
        private int nextMember;
        private int[] order;
        private int next;
        private boolean planned;
        private boolean stopped;
        /** The baseline once in: a worker that sees it compares at once and keeps no capture. */
        volatile Baseline baseline;

        /** Adds a member; returns how many there are now. */
        synchronized int offer(MonitoredFile f) {
            if (planned) {
                throw new IllegalStateException("a member offered after the plan: " + f.path());
            }
            int i = members.size();
            room(i);
            members.add(f);
            notifyAll();
            return i + 1;
        }

        private void room(int i) {
            if (i >= MAX_PATHS) {
                throw new IllegalArgumentException("a sweep of more than " + MAX_PATHS + " paths");
            }
            if (outcomes[i / CHUNK] == null) {
                outcomes[i / CHUNK] = new Object[CHUNK];
            }
        }

        /** The next path, null when all are taken; waits while all offered are taken and more, or the plan, come. */
        synchronized Item take() throws InterruptedException {
            while (true) {
                if (stopped) {
                    return null;
                }
                if (planned) {
                    if (next >= order.length) {
                        return null;
                    }
                    int i = order[next++];
                    return new Item(i, file(i));
                }
                if (nextMember < members.size()) {
                    int i = nextMember++;
                    return new Item(i, members.get(i));
                }
                wait();
            }
        }

        synchronized void stop() {
            stopped = true;
            notifyAll();
        }

        /** Adds the baseline's other paths and orders what no worker has taken yet, largest first. */
        synchronized void plan(Baseline b, MonitoredSet set, SweepProgress progress) {
            if (members.size() + b.size() >= MAX_PATHS) {
                throw new IllegalArgumentException("a sweep of " + (members.size() + b.size())
                        + " paths is more than the 4,194,304 one sweep can order");
            }
            List<MonitoredFile> others = new ArrayList<>();
            for (FileRecord r : b.files().values()) {
                if (!set.contains(r.path())) {
                    others.add(set.lookup(r.path()).orElseGet(() -> set.outside(r)));
                }
            }
            extra = others.toArray(new MonitoredFile[0]);
            for (int i = members.size(); i < size(); i++) {
                room(i);
            }
            long[] sizes = new long[size()];
            long total = 0;
            for (int i = 0; i < sizes.length; i++) {
                FileRecord r = b.get(file(i).path());
                sizes[i] = r == null ? 0 : r.size();
                total += sizes[i];
            }
            // Only the large files need ordering (one under 1 MiB hashes in under a millisecond); they are sorted
            // as primitive keys (size above, index below 22 bits: no boxing), and the small ones follow in path
            // order, which spares a cold JVM sorting 100,000 keys. Those taken already are in [0, nextMember).
            int large = 0;
            for (int i = nextMember; i < sizes.length; i++) {
                if (sizes[i] >= LARGE) {
                    large++;
                }
            }
            long[] keys = new long[large];
            int[] rest = new int[sizes.length - nextMember];
            int small = large;
            for (int i = nextMember, k = 0; i < sizes.length; i++) {
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
            planned = true;
            progress.start(sizes.length, total);
            baseline = b;
            notifyAll();
        }

        /** All paths: the members, then the baseline's others (known once planned). */
        synchronized int size() {
            return members.size() + extra.length;
        }

        synchronized MonitoredFile file(int i) {
            return i < members.size() ? members.get(i) : extra[i - members.size()];
        }

        void put(int i, Object outcome) {
            outcomes[i / CHUNK][i % CHUNK] = outcome;
        }

        Verifier.Verification verification(int i, MonitoredFile file, Baseline b, Verifier verifier, Source source) {
            Object o = outcomes[i / CHUNK][i % CHUNK];
            if (o instanceof Held h) {
                return verifier.compare(file, b.get(file.path()), h.observation(), source, h.time());
            }
            return (Verifier.Verification) o;
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
