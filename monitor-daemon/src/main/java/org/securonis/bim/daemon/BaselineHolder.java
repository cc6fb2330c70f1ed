package org.securonis.bim.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.securonis.bim.core.Baseline;
import org.securonis.bim.core.BaselineException;
import org.securonis.bim.core.BaselineStore;

/**
 * The baseline the daemon verifies against, reloaded when {@code bim update} replaces the file; a replacement
 * that does not load is refused and the last good baseline stays in force. Thread-safe.
 */
final class BaselineHolder {

    private static final Logger LOG = LogManager.getLogger(BaselineHolder.class);

    private final BaselineStore store;
    private Baseline baseline;
    private Object fileKey;
    private Object refusedKey;
    private volatile java.util.function.Consumer<BaselineException> onRefused = e -> { };
    private volatile Runnable onReloaded = () -> { };
    private boolean reloaded;

    BaselineHolder(BaselineStore store, Baseline initial) throws IOException {
        this.store = store;
        this.baseline = initial;
        this.fileKey = key(store.path());
    }

    /** Told when a new baseline was taken (after `bim update`): outstanding changes may be accepted now. */
    void onReloaded(Runnable listener) {
        this.onReloaded = listener;
    }

    /** Told when a replacement is refused (a failed seal is the daemon's cue for a baseline_tampered alert). */
    void onRefused(java.util.function.Consumer<BaselineException> listener) {
        this.onRefused = listener;
    }

    private BaselineException refused;

    /**
     * The baseline now: the file is stat'ed on each call (cheap) and reloaded when it was replaced. A refusal is
     * reported after the lock is released: the listener publishes, and publishing may need the baseline (a lock
     * taken the other way round would deadlock).
     */
    Baseline current() {
        Baseline b;
        BaselineException r;
        boolean fresh;
        synchronized (this) {
            b = currentLocked();
            r = refused;
            refused = null;
            fresh = reloaded;
            reloaded = false;
        }
        if (r != null) {
            onRefused.accept(r);
        }
        if (fresh) {
            onReloaded.run();
        }
        return b;
    }

    private Baseline currentLocked() {
        Object now;
        try {
            now = key(store.path());
        } catch (IOException e) {
            return baseline;
        }
        if (Objects.equals(now, fileKey) || Objects.equals(now, refusedKey)) {
            return baseline;
        }
        try {
            baseline = store.load();
            fileKey = now;
            refusedKey = null;
            LOG.info("baseline reloaded from {}: {} files", store.path(), baseline.size());
            reloaded = true;
        } catch (BaselineException e) {
            refusedKey = now;
            LOG.error("baseline {} was replaced by one that does not load; keeping the last good one ({} files): {}",
                    store.path(), baseline.size(), e.getMessage());
            refused = e;
        }
        return baseline;
    }

    private static Object key(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return a.fileKey() + "/" + a.size() + "/" + a.lastModifiedTime() + "/" + a.creationTime();
    }
}
