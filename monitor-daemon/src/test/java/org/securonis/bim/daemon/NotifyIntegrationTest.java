package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.securonis.bim.linux.NotifyProbe;

/** sd_notify as systemd sees it: messages on a datagram socket the test binds, in order. */
class NotifyIntegrationTest {

    private Tmpfs tmp;
    private Path bin;
    private Path config;
    private Path logDir;

    @BeforeEach
    void tree() throws Exception {
        tmp = Tmpfs.create("notify");
        bin = Files.createDirectories(tmp.root.resolve("usr/bin"));
        Files.writeString(bin.resolve("ls"), "ls");
        Fakes fakes = Fakes.in(tmp.root.resolve("fakes"));
        logDir = tmp.root.resolve("state/log");
        config = tmp.root.resolve("bim.toml");
        Files.writeString(config, """
                [monitor]
                database_path = "%1$s/state/hashes.json"
                key_path = "%1$s/state/bim.key"
                log_dir = "%1$s/state/log"
                quarantine_dir = "%1$s/state/quarantine"
                lockdown_script = "%2$s"
                [binaries]
                critical_binaries = []
                system_binaries = ["%1$s/usr/bin/*"]
                include_libraries = false
                [response]
                sendmail = "%3$s"
                """.formatted(tmp.root, fakes.lockdown, fakes.sendmail));
    }

    @AfterEach
    void cleanup() throws Exception {
        tmp.close();
    }

    @Test
    void readyComesBeforeAnyAlert_watchdogRepeats_andStoppingIsLast() throws Exception {
        String address = "@bim-notify-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        try (NotifyProbe probe = NotifyProbe.bind(address);
                DaemonProcess d = DaemonProcess.start(config, logDir,
                        Map.of("NOTIFY_SOCKET", address, "WATCHDOG_USEC", "400000"))) {
            String first = probe.receive(Duration.ofSeconds(10));
            assertTrue(first.startsWith("READY=1\nSTATUS=watching 1 files"), first);
            assertEquals(0, d.alerts().size(), "ready before any alert");
            Files.writeString(bin.resolve("ls"), "tampered");
            d.awaitAlert(a -> a.at("/file/path").asText().equals(bin.resolve("ls").toString()), 5);
            // The status line follows the state (every 2 s); the watchdog keeps beating meanwhile.
            int watchdogs = 0;
            boolean status = false;
            List<String> seen = new ArrayList<>();
            while (watchdogs < 3 || !status) {
                String m = probe.receive(Duration.ofSeconds(5));
                seen.add(m);
                watchdogs += m.equals("WATCHDOG=1") ? 1 : 0;
                status |= m.startsWith("STATUS=") && m.contains("1 outstanding");
                assertTrue(seen.size() < 200, "no status line after the alert: " + seen);
            }
            assertEquals(0, d.stop());
            String m;
            do {
                m = probe.receive(Duration.ofSeconds(5));
            } while (!m.equals("STOPPING=1"));
        }
    }
}
