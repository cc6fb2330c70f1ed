package org.securonis.bim.daemon;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import sun.misc.Signal;

/**
 * Signal handlers that only enqueue work: SIGUSR1 asks the sweeper for a sweep now. SIGHUP is caught so that
 * it cannot kill the daemon; this build reloads the configuration only on restart, and says so. SIGTERM and
 * SIGINT run the JVM's shutdown hook, which stops the daemon in order.
 */
final class Signals {

    private static final Logger LOG = LogManager.getLogger(Signals.class);

    private Signals() {
    }

    static void install(Sweeper sweeper) {
        Signal.handle(new Signal("USR1"), s -> sweeper.request("SIGUSR1"));
        Signal.handle(new Signal("HUP"), s -> LOG.warn("SIGHUP: live reload is not in this build; restart the "
                + "daemon to apply a new configuration (the running one stays in force)"));
    }
}
