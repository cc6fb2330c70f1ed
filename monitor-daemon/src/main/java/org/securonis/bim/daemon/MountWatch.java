package org.securonis.bim.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.securonis.bim.core.MonitoredFile;
import org.securonis.bim.core.MonitoredSet;
import org.securonis.bim.core.MountTable;
import org.securonis.bim.core.Names;
import org.securonis.bim.linux.MountWatcher;
import org.securonis.bim.linux.NativeException;

/**
 * Mounts over monitored paths, in real time: something mounted on (or taken off) a monitored file queues it for
 * verification, and a mount on a directory at, above or below a watch root asks for a sweep (the directory
 * watches see the old, now hidden, directories: they are installed anew). A bind mount writes nothing, so the
 * file watches would never hear of it.
 */
final class MountWatch implements AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(MountWatch.class);
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private final Supplier<MonitoredSet> set;
    private final PendingPaths pending;
    private final Sweeper sweeper;
    private final Runnable rewatch;
    private final MountWatcher watcher;
    private Set<String> known;

    private MountWatch(Supplier<MonitoredSet> set, PendingPaths pending, Sweeper sweeper, Runnable rewatch)
            throws NativeException {
        this.set = set;
        this.pending = pending;
        this.sweeper = sweeper;
        this.rewatch = rewatch;
        this.known = mountPoints();
        this.watcher = MountWatcher.start(this::changed);
    }

    /** Starts watching the mount table, or returns null (logged) where it cannot be read or polled. */
    static MountWatch start(Supplier<MonitoredSet> set, PendingPaths pending, Sweeper sweeper, Runnable rewatch) {
        try {
            return new MountWatch(set, pending, sweeper, rewatch);
        } catch (NativeException | RuntimeException | LinkageError e) {
            LOG.warn("mounts over monitored files are left to the sweep: the mount table cannot be watched ({})",
                    e.getMessage());
            return null;
        }
    }

    private static Set<String> mountPoints() {
        try {
            return MountTable.mountPoints(Files.readAllBytes(MOUNTINFO));
        } catch (IOException e) {
            return Set.of();
        }
    }

    private synchronized void changed() {
        Set<String> now = mountPoints();
        Set<String> moved = new TreeSet<>(now);
        moved.removeAll(known);
        Set<String> gone = new TreeSet<>(known);
        gone.removeAll(now);
        moved.addAll(gone);
        known = now;
        if (moved.isEmpty()) {
            return;
        }
        MonitoredSet s = set.get();
        java.util.Collection<MonitoredFile> members = s.files().values();
        List<String> files = new ArrayList<>();
        boolean directories = false;
        for (String point : moved) {
            String under = point.equals("/") ? "/" : point + "/";
            boolean onAFile = false;
            for (MonitoredFile f : members) {
                String source = Names.of(f.source());
                onAFile |= source.equals(point);
                if (source.equals(point) || source.startsWith(under)) {
                    files.add(f.path());
                }
            }
            for (MonitoredSet.WatchRoot r : s.watchRoots()) {
                String root = Names.of(r.source());
                directories |= !onAFile && (root.equals(point) || root.startsWith(under) || point.startsWith(root + "/"));
            }
        }
        if (!files.isEmpty()) {
            LOG.warn("mount table changed on {}: verifying {} monitored files there now", String.join(", ",
                    moved.stream().map(Names::escape).toList()), files.size());
            pending.offer(files, System.nanoTime());
        }
        if (directories) {
            rewatch.run();
            sweeper.request("mount over a monitored directory");
        }
    }

    @Override
    public void close() {
        watcher.close();
    }
}
