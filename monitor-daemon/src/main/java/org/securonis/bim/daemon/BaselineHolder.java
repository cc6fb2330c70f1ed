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

    BaselineHolder(BaselineStore store, Baseline initial) throws IOException {
        this.store = store;
        this.baseline = initial;
        this.fileKey = key(store.path());
    }

    /** The baseline now: the file is stat'ed on each call (cheap) and reloaded when it was replaced. */
    synchronized Baseline current() {
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
        } catch (BaselineException e) {
            refusedKey = now;
            LOG.error("baseline {} was replaced by one that does not load; keeping the last good one ({} files): {}",
                    store.path(), baseline.size(), e.getMessage());
        }
        return baseline;
    }

    private static Object key(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return a.fileKey() + "/" + a.size() + "/" + a.lastModifiedTime() + "/" + a.creationTime();
    }
}
