package org.securonis.bim.daemon;

import org.securonis.bim.core.Baseline;
import org.securonis.bim.core.VerifyingKey;

/**
 * {@code bim verify-db}: loads the baseline and checks its seal and, with signing on, its signature; exit 0 when
 * both verify, 18 on any mismatch.
 */
final class VerifyDbCommand {

    private VerifyDbCommand() {
    }

    static int run(Invocation inv) throws UsageException {
        Baseline b = inv.loadBaseline();
        VerifyingKey pub = inv.verifyingKey();
        inv.out.println("bim verify-db: " + inv.config.monitor().databasePath() + " verifies: " + b.size()
                + " files, sealed with " + inv.config.monitor().keyPath() + ", " + (pub == null
                        ? "not signed (signing is off: monitor.signing_public_key is not set)"
                        : "signed by ed25519 key " + pub.fingerprint() + " (" + pub.file() + ")")
                + ", updated " + b.updated());
        return ExitCode.OK;
    }
}
