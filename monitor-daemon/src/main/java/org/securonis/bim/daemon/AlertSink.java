package org.securonis.bim.daemon;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.securonis.bim.core.AlertFormat;
import org.securonis.bim.core.Finding;
import org.securonis.bim.core.Names;
import org.securonis.bim.core.ResponsePipeline;

/**
 * Publishes a new finding: one ECS JSON line in the alert log, and a line in the standard log with the name
 * escaped so that it cannot forge a log line. Thread-safe (log4j is).
 */
final class AlertSink implements ResponsePipeline.Publisher {

    private static final Logger ALERTS = LogManager.getLogger(Logging.ALERTS);
    private static final Logger LOG = LogManager.getLogger(AlertSink.class);

    private final boolean dryRun;

    AlertSink(boolean dryRun) {
        this.dryRun = dryRun;
    }

    @Override
    public void alert(Finding f, String incidentId) {
        ALERTS.info(org.securonis.bim.core.Json.line(AlertFormat.alert(f, incidentId)));
        LOG.warn("ALERT {} [{}]{}{}", AlertFormat.summary(f), f.source().label(),
                incidentId == null ? "" : " incident " + incidentId, dryRun ? " (dry run)" : "");
    }
}
