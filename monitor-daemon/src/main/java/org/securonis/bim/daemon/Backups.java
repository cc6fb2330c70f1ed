package org.securonis.bim.daemon;

import java.io.IOException;
import java.nio.file.Path;
import org.securonis.bim.core.Baseline;
import org.securonis.bim.core.BackupStore;
import org.securonis.bim.core.FileRecord;
import org.securonis.bim.core.FileType;
import org.securonis.bim.core.Names;

/**
 * Keeps known-good copies of the baseline's files of the tiers in {@code backup_tiers} ({@code init},
 * {@code update}); the store holds one copy per content, so unchanged files cost nothing on later runs.
 */
final class Backups {

    private Backups() {
    }

    /** Copies what the store lacks; returns the number of files that could not be kept (each reported). */
    static int keep(Invocation inv, Baseline baseline) throws UsageException {
        if (inv.config.response().backupTiers().isEmpty()) {
            return 0;
        }
        BackupStore store = new BackupStore(inv.config.lockdown().backupDir(), NativeOpener.best());
        try {
            store.prepare();
        } catch (IOException e) {
            throw new UsageException(ExitCode.WRITE_ERROR, "cannot use backup_dir: " + e.getMessage()
                    + " (the baseline was written; known-good copies were not kept)");
        }
        int failed = 0;
        int kept = 0;
        for (FileRecord r : baseline.files().values()) {
            if (r.type() != FileType.FILE || r.sha256() == null
                    || !inv.config.response().backupTiers().contains(r.tier()) || store.has(r.sha256())) {
                continue;
            }
            try {
                store.store(Names.path(java.nio.file.FileSystems.getDefault(), r.path()), r.sha256());
                kept++;
            } catch (IOException e) {
                failed++;
                inv.err.println("bim: warning: no known-good copy of " + Names.escape(r.path()) + ": " + e.getMessage());
            }
        }
        if (kept > 0) {
            inv.out.printf("bim: kept %d known-good cop%s in %s%n", kept, kept == 1 ? "y" : "ies", store.dir());
        }
        return failed;
    }
}
