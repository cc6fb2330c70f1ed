package org.securonis.bim.daemon;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import sun.misc.Signal;

/**
 * Signal handlers that only enqueue work: SIGUSR1 asks the sweeper for a sweep now, SIGHUP for a reload of the
 * configuration (validated first; a refused one keeps the running configuration). SIGTERM and
 * SIGINT ask for the orderly stop, which the main thread runs before exiting 0 (the JVM's own handling would
 * exit 143 from a shutdown hook).
 */
final class Signals {

    private static final Logger LOG = LogManager.getLogger(Signals.class);

    private Signals() {
    }

    /** Installs SIGTERM and SIGINT: {@code stop} only releases the main thread. */
    static void installStop(Runnable stop) {
        Signal.handle(new Signal("TERM"), s -> {
            LOG.info("SIGTERM: stopping");
            stop.run();
        });
        Signal.handle(new Signal("INT"), s -> {
            LOG.info("SIGINT: stopping");
            stop.run();
        });
    }

    static void install(Sweeper sweeper, Runnable reload) {
        Signal.handle(new Signal("USR1"), s -> sweeper.request("SIGUSR1"));
        Signal.handle(new Signal("HUP"), s -> reload.run());
    }
}
