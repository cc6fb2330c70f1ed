package org.securonis.bim.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Identities that changed by our own hand: a file restored from backup has a new inode and device, which is a
 * runtime fact and not a change. Verification reads the baseline through these. Thread-safe.
 */
public final class RuntimeFacts {

    /** The identity a restore gave a path. */
    public record Identity(long inode, long device) {
    }

    private final Map<String, Identity> restored = new ConcurrentHashMap<>();

    /**
     * Temporary files this process is writing beside monitored files (a restore writes the copy next to its target
     * and renames it into place): events for them are ours, not tampering. Exact paths, only while they exist, so
     * a file an attacker names alike is still seen.
     */
    private static final java.util.Set<String> TEMPORARIES = ConcurrentHashMap.newKeySet();

    /** Whether {@code path} is a temporary file of our own, being written right now. */
    public static boolean isOwnTemporary(String path) {
        return TEMPORARIES.contains(path);
    }

    static void temporary(java.nio.file.Path p) {
        TEMPORARIES.add(Names.of(p));
    }

    static void doneWith(java.nio.file.Path p) {
        TEMPORARIES.remove(Names.of(p));
    }

    /** Starts from identities kept by an earlier run. */
    public RuntimeFacts(Map<String, Identity> earlier) {
        restored.putAll(earlier);
    }

    /** Notes that {@code path} now has the given identity because we put it there. */
    public void restored(String path, long inode, long device) {
        restored.put(path, new Identity(inode, device));
    }

    /** The baseline record as verification should see it: with the identity of our own restore, if any. */
    public FileRecord apply(FileRecord record) {
        if (record == null) {
            return null;
        }
        Identity id = restored.get(record.path());
        if (id == null || (id.inode() == record.inode() && id.device() == record.device())) {
            return record;
        }
        return new FileRecord(record.path(), record.type(), record.sha256(), record.size(), record.mode(),
                record.uid(), record.gid(), id.inode(), id.device(), record.nlink(), record.mtime(), record.ctime(),
                record.target(), record.tier(), record.checked(), record.capability());
    }

    /** The baseline as verification should see it: every restored path with its new identity. */
    public Baseline applyTo(Baseline b) {
        Map<String, FileRecord> changed = new java.util.HashMap<>();
        for (String path : restored.keySet()) {
            FileRecord r = b.get(path);
            if (r != null) {
                changed.put(path, apply(r));
            }
        }
        return changed.isEmpty() ? b : b.with(changed, b.updated());
    }

    /** Every noted identity, for the state file. */
    public Map<String, Identity> all() {
        return Map.copyOf(restored);
    }
}
