package org.securonis.bim.daemon;

import org.securonis.bim.core.Baseline;

/** {@code bim verify-db}: loads the baseline and checks its seal; exit 0 when it verifies, 18 on any mismatch. */
final class VerifyDbCommand {

    private VerifyDbCommand() {
    }

    static int run(Invocation inv) throws UsageException {
        Baseline b = inv.loadBaseline();
        inv.out.println("bim verify-db: " + inv.config.monitor().databasePath() + " verifies: " + b.size()
                + " files, sealed with " + inv.config.monitor().keyPath() + ", updated " + b.updated());
        return ExitCode.OK;
    }
}
