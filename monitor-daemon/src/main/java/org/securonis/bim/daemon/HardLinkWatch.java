package org.securonis.bim.daemon;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.securonis.bim.core.MonitoredFile;
import org.securonis.bim.core.MonitoredSet;
import org.securonis.bim.core.Names;
import org.securonis.bim.linux.InodeWatcher;
import org.securonis.bim.linux.NativeException;

/**
 * The second real-time source, beside the directory watches: every monitored inode by its fanotify id, on every
 * file system that holds a watch root. A write or a chmod through a hard link made in some other directory (which
 * no directory watch sees) queues the monitored path for verification, as an event in its own directory would.
 * Where fanotify cannot be used (no CAP_SYS_ADMIN, a kernel without FID reports, a file system without file
 * handles) the sweep covers that case, as before, and the log says so once.
 */
final class HardLinkWatch implements InodeWatcher.Listener, AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(HardLinkWatch.class);

    private final PendingPaths pending;
    private final Sweeper sweeper;
    private volatile InodeWatcher watcher;
    /** A member by its inode: its path, and the directory id and entry name it has there (null: unknown). */
    private record Known(String path, InodeWatcher.FileId dir, byte[] name) {
    }

    // Replaced whole by learn(), so that an event never meets a half-built map; changed in place by refresh().
    private volatile Map<InodeWatcher.FileId, Known> paths = new ConcurrentHashMap<>();
    // The id each path was last seen with, so that a path whose inode changed (a restore, a rename over it) drops
    // its old one; guarded by this.
    private Map<String, InodeWatcher.FileId> ids = new HashMap<>();
    private final AtomicLong matched = new AtomicLong();
    private final RateLimit overflowLog = new RateLimit(10, TimeUnit.MINUTES.toNanos(1));

    private HardLinkWatch(PendingPaths pending, Sweeper sweeper) {
        this.pending = pending;
        this.sweeper = sweeper;
    }

    /**
     * Watches the file systems of {@code set}'s roots and learns the id of every member; null (logged) where
     * fanotify cannot be used here.
     */
    static HardLinkWatch start(MonitoredSet set, PendingPaths pending, Sweeper sweeper) {
        HardLinkWatch w = new HardLinkWatch(pending, sweeper);
        try {
            w.watcher = InodeWatcher.start(w);
        } catch (NativeException | RuntimeException | LinkageError e) {
            LOG.warn("writes through hard links in other directories are left to the sweep: fanotify unavailable "
                    + "({})", e.getMessage());
            return null;
        }
        int roots = 0;
        for (MonitoredSet.WatchRoot r : set.watchRoots()) {
            try {
                w.watcher.mark(Names.toBytes(Names.of(r.source())));
                roots++;
            } catch (NativeException e) {
                LOG.warn("writes through hard links elsewhere on the file system of {} are left to the sweep ({})",
                        Names.escape(r.path()), e.getMessage());
            }
        }
        if (roots == 0) {
            w.close();
            return null;
        }
        long t0 = System.nanoTime();
        w.learn(set);
        LOG.info("inode watch on the file systems of {} of {} watch roots: {} files known by handle in {} ms", roots,
                set.watchRoots().size(), w.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return w;
    }

    /** Learns the ids of every member of {@code set} again (after a sweep: members come and go, inodes change). */
    void learn(MonitoredSet set) {
        Map<String, InodeWatcher.FileId> now = new HashMap<>();
        Map<InodeWatcher.FileId, Known> byId = new ConcurrentHashMap<>();
        Map<Path, InodeWatcher.FileId> dirs = new HashMap<>();
        Map<Integer, byte[]> fsids = new HashMap<>();
        for (MonitoredFile f : set.files().values()) {
            InodeWatcher.FileId id = idOf(f.source(), fsids);
            if (id != null) {
                now.put(f.path(), id);
                byId.put(id, known(f, dirs, fsids));
            }
        }
        synchronized (this) {
            ids = now;
            paths = byId;
        }
    }

    /** Looks again at the inodes of these paths (just verified: a restore or a rename may have changed them). */
    void refresh(List<String> verified, MonitoredSet set) {
        for (String path : verified) {
            Optional<MonitoredFile> f = set.lookup(path);
            InodeWatcher.FileId id = f.isPresent() ? idOf(f.get().source(), null) : null;
            Known k = id == null ? null : known(f.get(), new HashMap<>(), null);
            synchronized (this) {
                InodeWatcher.FileId old = id == null ? ids.remove(path) : ids.put(path, id);
                if (old != null && !old.equals(id)) {
                    paths.computeIfPresent(old, (key, was) -> was.path().equals(path) ? null : was);
                }
                if (id != null) {
                    paths.put(id, k);
                }
            }
        }
    }

    private static Known known(MonitoredFile f, Map<Path, InodeWatcher.FileId> dirs, Map<Integer, byte[]> fsids) {
        Path parent = f.source().getParent();
        InodeWatcher.FileId dir = parent == null ? null : dirs.computeIfAbsent(parent, p -> idOf(p, fsids));
        String full = Names.of(f.source());
        byte[] name = Names.toBytes(full.substring(full.lastIndexOf('/') + 1));
        return new Known(f.path(), dir, name);
    }

    private static InodeWatcher.FileId idOf(Path source, Map<Integer, byte[]> fsids) {
        try {
            return InodeWatcher.idOf(Names.toBytes(Names.of(source)), fsids);
        } catch (NativeException e) {
            return null; // gone, or a file system without handles: the directory watch and the sweep still see it
        }
    }

    @Override
    public void onChange(InodeWatcher.FileId id, InodeWatcher.FileId dir, byte[] name, boolean modifying) {
        Known k = paths.get(id);
        if (k == null) {
            return;
        }
        if (dir != null && dir.equals(k.dir()) && java.util.Arrays.equals(name, k.name())) {
            return; // through its own name: the directory watch has it (verifying twice only delays the next alert)
        }
        matched.incrementAndGet();
        String path = k.path();
        // A write in progress settles as a directory watch's IN_MODIFY does. A close or an attribute change waits as
        // a deletion does: an unlink is an attribute change too (the link count), and a name deleted and made again
        // at once is one change, not two; where the directory watch saw a close, its earlier time wins.
        long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
                modifying ? EventIntake.MODIFY_SETTLE_MS : EventIntake.DELETE_SETTLE_MS);
        pending.offer(path, at);
    }

    @Override
    public void onOverflow() {
        if (overflowLog.allow()) {
            LOG.warn("fanotify queue overflowed: changes were lost; sweeping now");
        }
        sweeper.request("fanotify overflow");
    }

    @Override
    public void onFailure(String message) {
        LOG.error("the fanotify reader stopped ({}); writes through hard links elsewhere are left to the sweep",
                message);
        sweeper.request("fanotify stopped");
    }

    /** Changes to monitored inodes seen so far. */
    long matched() {
        return matched.get();
    }

    /** Members known by id. */
    int size() {
        return paths.size();
    }

    @Override
    public void close() {
        InodeWatcher w = watcher;
        if (w != null) {
            w.close();
        }
    }
}
