package org.securonis.bim.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The wd→directory map of one inotify instance and the operations that keep it true: install a
 * spec, adopt a new subdirectory (watch, then scan), drop a subtree; used only by the reader thread,
 * which also closes the inotify fd it is given.
 */
final class WatchTable {
    private static final int DIRENT_BUFFER = 32 * 1024;

    private final NativeFd inotify;
    private final Consumer<WatchEvent> sink;
    private final Map<Integer, Watch> byWd = new HashMap<>();
    private final Map<WatchSpec, Map<Path, String>> failures = new LinkedHashMap<>();
    private final ByteBuffer dents = ByteBuffer.allocateDirect(DIRENT_BUFFER).order(ByteOrder.nativeOrder());
    private boolean failuresChanged;

    WatchTable(NativeFd inotify, Consumer<WatchEvent> sink) {
        this.inotify = inotify;
        this.sink = sink;
    }

    /** The watch for a descriptor, or null when we hold none (already dropped, or never ours). */
    Watch get(int wd) {
        return byWd.get(wd);
    }

    /** How many directories are watched now. */
    int size() {
        return byWd.size();
    }

    /**
     * Watches a spec's root (resolved once through symlinks) and, when recursive, every directory
     * below it; idempotent, so it also serves to re-walk after an overflow or a lost root. Emits
     * WATCH_FAILED for directories it cannot watch, and no CREATE: the caller sweeps after install.
     */
    void install(WatchSpec spec) {
        Alias root = Alias.rootOf(spec);
        Path real;
        try {
            real = spec.configured().toRealPath();
        } catch (NoSuchFileException e) {
            fail(root, "realpath(" + spec.configured() + "): ENOENT: " + Errno.ENOENT.description());
            return;
        } catch (IOException | SecurityException e) {
            fail(root, "realpath(" + spec.configured() + "): " + e);
            return;
        }
        walk(real.toString().getBytes(StandardCharsets.UTF_8), List.of(root), true, false);
    }

    /** Stops reporting under a spec: removes its aliases, drops watches left with none, forgets its failures. */
    void uninstall(WatchSpec spec) {
        dropSubtree(spec, Alias.rootOf(spec).raw());
        if (failures.remove(spec) != null) {
            failuresChanged = true;
        }
    }

    /**
     * A subdirectory {@code name} appeared in {@code parent} (created or moved in): watch it for
     * every recursive alias, then scan it and emit CREATE for what was there before the watch.
     */
    void adopt(Watch parent, byte[] name) {
        List<Alias> aliases = new ArrayList<>();
        for (Alias a : parent.recursiveAliases()) {
            aliases.add(a.child(name));
        }
        if (!aliases.isEmpty()) {
            walk(Alias.join(parent.nativePath(), name), aliases, false, true);
        }
    }

    /** Entry {@code name} of {@code parent} left (deleted or moved): drop the watches at and below it. */
    void dropChild(Watch parent, byte[] name) {
        for (Alias a : List.copyOf(parent.aliases())) {
            dropSubtree(a.spec(), a.childRaw(name));
        }
    }

    /**
     * Removes the aliases of {@code spec} at or below {@code rawPrefix}; a watch left without
     * aliases is removed from the kernel too. Linear in the number of watches: directory moves
     * and deletions are rare in the trees we watch.
     */
    void dropSubtree(WatchSpec spec, byte[] rawPrefix) {
        for (Iterator<Watch> it = byWd.values().iterator(); it.hasNext(); ) {
            Watch w = it.next();
            w.aliases().removeIf(a -> a.spec().equals(spec) && a.isAtOrBelow(rawPrefix));
            if (w.aliases().isEmpty()) {
                it.remove();
                try {
                    Syscalls.rmWatch(inotify, w.wd());
                } catch (NativeException e) {
                    // EBADF/EINVAL cannot happen for a wd we hold on an open fd; if it ever does, the
                    // watch is gone either way and its late events hit no mapping.
                }
            }
        }
    }

    /** Forgets a watch the kernel has already removed (its directory was deleted or unmounted). */
    void forget(int wd) {
        byWd.remove(wd);
    }

    /** The directories that could not be watched, with reasons, under their reported names. */
    Map<Path, String> failures() {
        Map<Path, String> all = new LinkedHashMap<>();
        failures.values().forEach(all::putAll);
        return all;
    }

    /** True (once) when the failure list changed since the last call, so the reader republishes it. */
    boolean takeFailuresChanged() {
        boolean changed = failuresChanged;
        failuresChanged = false;
        return changed;
    }

    /*
     * Watches the directory at nativePath under aliases, then walks down breadth-first for the
     * recursive ones. Each directory is watched before it is listed, so an entry created during
     * the listing is either listed or reported by the new watch (possibly both), never neither.
     */
    private void walk(byte[] nativePath, List<Alias> aliases, boolean specRoot, boolean emitEntries) {
        Watch top = watch(nativePath, aliases, specRoot);
        if (top == null) {
            return;
        }
        Set<Integer> visited = new HashSet<>();
        Deque<Pending> todo = new ArrayDeque<>();
        visited.add(top.wd());
        todo.add(new Pending(nativePath, recursiveOnly(aliases)));
        while (!todo.isEmpty()) {
            Pending dir = todo.poll();
            if (dir.aliases.isEmpty()) {
                continue;
            }
            for (DirentDecoder.Entry e : list(dir)) {
                byte[] name = e.name();
                byte[] childNative = Alias.join(dir.nativePath, name);
                List<Alias> childAliases = new ArrayList<>();
                for (Alias a : dir.aliases) {
                    childAliases.add(a.child(name));
                }
                Watch child = null;
                if (e.type() == Flags.DT_DIR || e.type() == Flags.DT_UNKNOWN) {
                    child = watch(childNative, childAliases, false);
                }
                if (emitEntries) {
                    for (Alias a : childAliases) {
                        sink.accept(WatchEvent.of(WatchEvent.Kind.CREATE, a.dir(), a.raw(), child != null));
                    }
                }
                // A bind mount can make a directory its own descendant; visit each inode once per walk.
                if (child != null && visited.add(child.wd())) {
                    todo.add(new Pending(childNative, childAliases));
                }
            }
        }
    }

    /*
     * One add_watch; null when the path is not a directory (or vanished) or the call failed. Only a
     * spec's root reports ENOENT/ENOTDIR: below the root they mean a race the parent watch reports.
     */
    private Watch watch(byte[] nativePath, List<Alias> aliases, boolean specRoot) {
        int wd;
        try {
            wd = Syscalls.addWatch(inotify, nativePath, Flags.WATCH_MASK);
        } catch (NativeException e) {
            Errno errno = Errno.of(e.errno());
            if (specRoot || (errno != Errno.ENOENT && errno != Errno.ENOTDIR)) {
                for (Alias a : aliases) {
                    fail(a, e.getMessage());
                }
            }
            return null;
        }
        Watch w = byWd.computeIfAbsent(wd, k -> new Watch(k, nativePath));
        for (Alias a : aliases) {
            w.addAlias(a);
            Map<Path, String> specFailures = failures.get(a.spec());
            if (specFailures != null && specFailures.remove(a.dir()) != null) {
                failuresChanged = true;
            }
        }
        return w;
    }

    // A listing failure (the directory vanished, EACCES) leaves the watch in place: its events still come.
    private List<DirentDecoder.Entry> list(Pending dir) {
        List<DirentDecoder.Entry> entries = new ArrayList<>();
        try (NativeFd fd = Syscalls.openDirectory(dir.nativePath)) {
            while (true) {
                dents.clear();
                int n = Syscalls.getdents(fd, dents, dir.nativePath);
                if (n == 0) {
                    return entries;
                }
                dents.limit(n);
                entries.addAll(DirentDecoder.decode(dents));
            }
        } catch (NativeException e) {
            if (Errno.of(e.errno()) != Errno.ENOENT && Errno.of(e.errno()) != Errno.ENOTDIR) {
                for (Alias a : dir.aliases) {
                    fail(a, e.getMessage());
                }
            }
            return entries;
        }
    }

    // Reports a directory once per reason: re-walks after overflows must not repeat known failures.
    private void fail(Alias alias, String message) {
        String previous = failures.computeIfAbsent(alias.spec(), k -> new LinkedHashMap<>()).put(alias.dir(), message);
        if (!message.equals(previous)) {
            failuresChanged = true;
            sink.accept(WatchEvent.trouble(WatchEvent.Kind.WATCH_FAILED, alias.dir(), alias.raw(), message));
        }
    }

    private static List<Alias> recursiveOnly(List<Alias> aliases) {
        List<Alias> result = new ArrayList<>();
        for (Alias a : aliases) {
            if (a.spec().recursive()) {
                result.add(a);
            }
        }
        return result;
    }

    /** A directory waiting to be listed during a walk. */
    private record Pending(byte[] nativePath, List<Alias> aliases) {
    }
}
