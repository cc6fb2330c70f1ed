package org.securonis.bim.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.securonis.bim.core.BackupStore;
import org.securonis.bim.core.CommandRunner;
import org.securonis.bim.core.Config;
import org.securonis.bim.core.Forensics;
import org.securonis.bim.core.LockdownState;
import org.securonis.bim.core.Quarantine;
import org.securonis.bim.core.ResponsePipeline;
import org.securonis.bim.core.RuntimeFacts;

/** Builds the response pipeline from the configuration: the real /proc, the real programs, the configured dirs. */
final class Response {

    private Response() {
    }

    static ResponsePipeline pipeline(Invocation inv, boolean dryRun, RuntimeFacts facts) {
        Config c = inv.config;
        ResponsePipeline p = new ResponsePipeline(c, inv.clock, dryRun, new AlertSink(dryRun),
                new Quarantine(c.monitor().quarantineDir(), inv.clock, NativeOpener.best()),
                new BackupStore(c.lockdown().backupDir(), NativeOpener.best()),
                new Forensics(Path.of("/proc"), inv.clock, c.response().forensicsMaxBytes(),
                        Duration.ofSeconds(c.response().forensicsTimeout())),
                CommandRunner.processes(),
                new LockdownState(c.monitor().stateDir()),
                facts, hostName(), Main.version());
        p.setOpener(NativeOpener.best());
        return p;
    }

    /** The kernel's host name, read from /proc: asking the resolver could mean network traffic, which we never make. */
    static String hostName() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8);
            return lines.isEmpty() ? "localhost" : lines.get(0).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
