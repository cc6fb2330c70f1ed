package org.securonis.bim.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

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
        Instant start = Instant.now(clock);
        if (set.size() + baseline.size() >= 1 << 22) {
            throw new IllegalArgumentException("a sweep of " + (set.size() + baseline.size())
                    + " paths is more than the 4,194,304 one sweep can order");
        }
        Map<String, MonitoredFile> items = new LinkedHashMap<>(set.files());
        for (FileRecord r : baseline.files().values()) {
            items.computeIfAbsent(r.path(), p -> set.lookup(p).orElseGet(() -> set.outside(r)));
        }
        MonitoredFile[] work = items.values().toArray(new MonitoredFile[0]);
        long[] sizes = new long[work.length];
        long total = 0;
        for (int i = 0; i < work.length; i++) {
            FileRecord r = baseline.get(work[i].path());
            sizes[i] = r == null ? 0 : r.size();
            total += sizes[i];
        }
        // Largest first, so that the pool ends together. Only the large files need ordering (one under 1 MiB hashes
        // in under a millisecond); they are sorted as primitive keys (size above, index below 22 bits: no boxing),
        // and the small ones follow in path order, which spares a cold JVM sorting 100,000 keys.
        int large = 0;
        for (long size : sizes) {
            if (size >= LARGE) {
                large++;
            }
        }
        long[] keys = new long[large];
        int[] order = new int[work.length];
        int small = large;
        for (int i = 0, k = 0; i < work.length; i++) {
            if (sizes[i] >= LARGE) {
                keys[k++] = (Math.min(sizes[i], (1L << 41) - 1) << 22) | i;
            } else {
                order[small++] = i;
            }
        }
        Arrays.sort(keys);
        for (int k = 0; k < large; k++) {
            order[k] = (int) (keys[large - 1 - k] & ((1 << 22) - 1));
        }
        progress.start(work.length, total);

        Verifier.Verification[] results = new Verifier.Verification[keepObservations ? work.length : 0];
        Finding[] found = new Finding[keepObservations ? 0 : work.length];
        String[] failed = new String[keepObservations ? 0 : work.length];
        boolean[] verified = new boolean[work.length];
        AtomicInteger next = new AtomicInteger();
        long bytesBefore = verifier.inspector().bytesHashed();
        Runnable worker = () -> {
            for (int k; (k = next.getAndIncrement()) < order.length; ) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                int i = order[k];
                MonitoredFile f = work[i];
                Verifier.Verification v = verifier.verify(f, baseline.get(f.path()), source);
                if (keepObservations) {
                    results[i] = v;
                } else {
                    found[i] = v.finding();
                    failed[i] = v.observation().error();
                }
                verified[i] = true;
                FileRecord s = v.observation().state();
                progress.done(s == null ? 0 : s.size());
            }
        };
        int n = Math.min(workers, Math.max(1, work.length));
        List<Thread> threads = new ArrayList<>(n);
        for (int t = 0; t < n; t++) {
            Thread th = new Thread(worker, "bim-sweep-" + t);
            th.setDaemon(true);
            threads.add(th);
            th.start();
        }
        try {
            for (Thread th : threads) {
                th.join();
            }
        } catch (InterruptedException e) {
            threads.forEach(Thread::interrupt);
            throw e;
        }

        List<Finding> findings = new ArrayList<>();
        List<SweepResult.Problem> problems = new ArrayList<>();
        Map<String, Observation> observations = new HashMap<>();
        for (int i = 0; i < work.length; i++) {
            if (!verified[i]) {
                throw new IllegalStateException("a sweep worker left " + work[i].path() + " unverified");
            }
            if (!keepObservations) {
                if (found[i] != null) {
                    findings.add(found[i]);
                }
                if (failed[i] != null) {
                    problems.add(new SweepResult.Problem(work[i].path(), failed[i]));
                }
                continue;
            }
            Verifier.Verification v = results[i];
            observations.put(v.file().path(), v.observation());
            if (v.finding() != null) {
                findings.add(v.finding());
            }
            if (v.observation().isFailed()) {
                problems.add(new SweepResult.Problem(v.file().path(), v.observation().error()));
            }
        }
        findings = pairMoves(findings);
        findings.sort(Comparator.comparing(Finding::path));
        problems.sort(Comparator.comparing(SweepResult.Problem::path));
        long bytes = verifier.inspector().bytesHashed() - bytesBefore;
        return new SweepResult(findings, problems, observations, work.length, bytes,
                Duration.between(start, Instant.now(clock)));
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
