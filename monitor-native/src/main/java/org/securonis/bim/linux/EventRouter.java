package org.securonis.bim.linux;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns one batch of decoded inotify records into {@link WatchEvent}s under their reported names,
 * pairs renames, and keeps the {@link WatchTable} in step with directories that come and go;
 * used only by the reader thread.
 */
final class EventRouter {
    /** What the router needs from its owner besides the table: where events go and when to re-walk. */
    interface Owner {
        /** Re-walks every spec so that directories created while events were lost get watched. */
        void rewalkAll();

        /** Counts a watch lost without our asking. */
        void countLostWatch();

        /** Counts an overflow. */
        void countOverflow();

        /** True once close() has been called: the rest of the batch is not delivered. */
        boolean stopping();

        /** Delivers what the handling of one kernel record produced (duplicates removed). */
        void flush();
    }

    private final WatchTable table;
    private final Consumer<WatchEvent> sink;
    private final Owner owner;

    EventRouter(WatchTable table, Consumer<WatchEvent> sink, Owner owner) {
        this.table = table;
        this.sink = sink;
        this.owner = owner;
    }

    /** Handles one read's records in order; a MOVED_FROM is paired with a MOVED_TO of the same cookie in the batch. */
    void route(List<InotifyEvent> batch) {
        boolean[] consumed = new boolean[batch.size()];
        for (int i = 0; i < batch.size() && !owner.stopping(); i++) {
            if (consumed[i]) {
                continue;
            }
            InotifyEvent ev = batch.get(i);
            if (ev.has(Flags.IN_Q_OVERFLOW)) {
                overflow("kernel queue overflowed (fs.inotify.max_queued_events): events were lost");
            } else if (ev.has(Flags.IN_MOVED_FROM)) {
                int j = pairOf(batch, i, consumed);
                if (j >= 0) {
                    consumed[j] = true;
                    moved(ev, batch.get(j));
                } else {
                    movedOut(table.get(ev.wd()), ev);
                }
            } else {
                single(ev);
            }
            owner.flush();
        }
    }

    /** Reports lost events (an overflow, or a batch we could not decode): re-walk first, then tell the caller to sweep. */
    void overflow(String reason) {
        owner.countOverflow();
        owner.rewalkAll();
        sink.accept(WatchEvent.global(WatchEvent.Kind.OVERFLOW, reason));
    }

    private void single(InotifyEvent ev) {
        Watch w = table.get(ev.wd());
        if (w == null) {
            return; // a watch we dropped: its last records are still in the queue
        }
        if (ev.has(Flags.IN_IGNORED)) {
            lost(w, "the kernel removed the watch (IN_IGNORED)", false);
        } else if (!ev.hasName()) {
            self(w, ev);
        } else if (ev.has(Flags.IN_MOVED_TO)) {
            named(w, ev, WatchEvent.Kind.MOVED_TO);
            if (ev.has(Flags.IN_ISDIR)) {
                table.adopt(w, ev.name());
            }
        } else if (ev.has(Flags.IN_CREATE)) {
            named(w, ev, WatchEvent.Kind.CREATE);
            if (ev.has(Flags.IN_ISDIR)) {
                table.adopt(w, ev.name());
            }
        } else if (ev.has(Flags.IN_DELETE)) {
            named(w, ev, WatchEvent.Kind.DELETE);
            if (ev.has(Flags.IN_ISDIR)) {
                table.dropChild(w, ev.name());
            }
        } else if (ev.has(Flags.IN_CLOSE_WRITE)) {
            named(w, ev, WatchEvent.Kind.CLOSE_WRITE);
        } else if (ev.has(Flags.IN_MODIFY)) {
            named(w, ev, WatchEvent.Kind.MODIFY);
        } else if (ev.has(Flags.IN_ATTRIB)) {
            named(w, ev, WatchEvent.Kind.ATTRIB);
        }
    }

    /*
     * Events about a watched directory itself. Below a root the parent's watch already reports
     * the same change by name, so only roots speak here; a deleted or moved root is a lost watch.
     */
    private void self(Watch w, InotifyEvent ev) {
        if (ev.has(Flags.IN_ATTRIB)) {
            for (Alias a : w.aliases()) {
                if (a.root()) {
                    sink.accept(WatchEvent.of(WatchEvent.Kind.ATTRIB, a.dir(), a.raw(), true));
                }
            }
        } else if (ev.has(Flags.IN_DELETE_SELF)) {
            lost(w, "watched directory was deleted (IN_DELETE_SELF)", true);
        } else if (ev.has(Flags.IN_MOVE_SELF)) {
            // The inode lives on elsewhere; every name we had for it below a root is now wrong.
            for (Alias a : List.copyOf(w.aliases())) {
                if (a.root()) {
                    owner.countLostWatch();
                    sink.accept(WatchEvent.trouble(WatchEvent.Kind.WATCH_LOST, a.dir(), a.raw(),
                            "watched directory was moved away (IN_MOVE_SELF)"));
                    table.dropSubtree(a.spec(), a.raw());
                }
            }
        }
    }

    // rootsOnly: after DELETE_SELF the parent reports DELETE for non-roots; after IN_IGNORED alone (unmount) nobody does.
    private void lost(Watch w, String reason, boolean rootsOnly) {
        table.forget(w.wd());
        boolean counted = false;
        for (Alias a : w.aliases()) {
            if (a.root() || !rootsOnly) {
                if (!counted) {
                    owner.countLostWatch();
                    counted = true;
                }
                sink.accept(WatchEvent.trouble(WatchEvent.Kind.WATCH_LOST, a.dir(), a.raw(), reason));
            }
        }
    }

    private void named(Watch w, InotifyEvent ev, WatchEvent.Kind kind) {
        byte[] name = ev.name();
        for (Alias a : w.aliases()) {
            sink.accept(WatchEvent.of(kind, a.childPath(name), a.childRaw(name), ev.has(Flags.IN_ISDIR)));
        }
    }

    /*
     * A rename seen from both ends. Per spec: known at both ends is MOVED, only at the new end
     * MOVED_TO, only at the old end MOVED_FROM. A renamed directory's watches are dropped and
     * re-adopted rather than re-pathed: simpler, and the scan reports its content at the new name.
     */
    private void moved(InotifyEvent from, InotifyEvent to) {
        Watch wf = table.get(from.wd());
        Watch wt = table.get(to.wd());
        if (wt == null) {
            movedOut(wf, from);
            return;
        }
        if (wf == null) {
            single(to);
            return;
        }
        boolean dir = from.has(Flags.IN_ISDIR);
        byte[] oldName = from.name();
        byte[] newName = to.name();
        List<Alias> unmatched = new ArrayList<>(wf.aliases());
        for (Alias t : wt.aliases()) {
            Alias f = null;
            for (Alias candidate : unmatched) {
                if (candidate.spec().equals(t.spec())) {
                    f = candidate;
                    break;
                }
            }
            if (f == null) {
                sink.accept(WatchEvent.of(WatchEvent.Kind.MOVED_TO, t.childPath(newName), t.childRaw(newName), dir));
            } else {
                unmatched.remove(f);
                sink.accept(WatchEvent.moved(f.childPath(oldName), f.childRaw(oldName),
                        t.childPath(newName), t.childRaw(newName), dir));
            }
        }
        for (Alias f : unmatched) {
            sink.accept(WatchEvent.of(WatchEvent.Kind.MOVED_FROM, f.childPath(oldName), f.childRaw(oldName), dir));
        }
        if (dir) {
            table.dropChild(wf, oldName);
            table.adopt(wt, newName);
        }
    }

    private void movedOut(Watch w, InotifyEvent ev) {
        if (w == null) {
            return;
        }
        named(w, ev, WatchEvent.Kind.MOVED_FROM);
        if (ev.has(Flags.IN_ISDIR)) {
            table.dropChild(w, ev.name());
        }
    }

    private static int pairOf(List<InotifyEvent> batch, int from, boolean[] consumed) {
        int cookie = batch.get(from).cookie();
        for (int j = from + 1; j < batch.size(); j++) {
            InotifyEvent e = batch.get(j);
            if (!consumed[j] && e.has(Flags.IN_MOVED_TO) && e.cookie() == cookie) {
                return j;
            }
        }
        return -1;
    }
}
