package org.securonis.bim.daemon;

import java.io.IOException;

/** {@code bim sweep} and {@code bim reload}: SIGUSR1 or SIGHUP to the running daemon (its pid file), for who would rather not use kill. */
final class SignalCommand {

    private SignalCommand() {
    }

    static int run(Invocation inv, String signal, String what) throws UsageException {
        DaemonState state = new DaemonState(inv.config.monitor().stateDir());
        long pid = state.runningPid();
        if (pid <= 0) {
            throw new UsageException(ExitCode.IO_ERROR, "no running daemon for " + inv.config.monitor().stateDir()
                    + " (no live pid in " + state.pidFile() + ")");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
            String out = new String(kill.getInputStream().readAllBytes()).strip();
            if (kill.waitFor() != 0) {
                throw new UsageException(ExitCode.IO_ERROR, "cannot signal the daemon (pid " + pid + "): " + out);
            }
        } catch (IOException e) {
            throw new UsageException(ExitCode.IO_ERROR, "cannot run kill: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageException(ExitCode.IO_ERROR, "interrupted");
        }
        inv.out.println("bim: asked the daemon (pid " + pid + ") to " + what + "; its log says how it went");
        return ExitCode.OK;
    }
}
