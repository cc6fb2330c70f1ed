package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An attacker creating and deleting files in a watched directory as fast as possible
 * ({@code -Dbim.flood.seconds}, default 10; the 30 with {@code -Dbim.flood.seconds=30}): memory stays
 * bounded and a real modification of a monitored binary in the middle of the flood is still alerted.
 */
@Tag("stress")
class FloodTest {

    private static final int SECONDS = Integer.getInteger("bim.flood.seconds", 10);
    private Tmpfs tmp;
    private Path bin;
    private Path config;
    private Path logDir;

    @BeforeEach
    void tree() throws Exception {
        tmp = Tmpfs.create("flood");
        bin = Files.createDirectories(tmp.root.resolve("usr/bin"));
        for (int i = 0; i < 50; i++) {
            Files.writeString(bin.resolve("tool" + i), "tool " + i);
        }
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
                critical_binaries = ["%1$s/usr/bin/tool7"]
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

    private static long rssMb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }

    @Test
    void modificationInTheMiddleOfAFlood_isStillAlerted_andMemoryStaysBounded() throws Exception {
        try (DaemonProcess d = DaemonProcess.start(config, logDir)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong made = new AtomicLong();
            Thread flood = new Thread(() -> {
                long n = 0;
                while (!stop.get()) {
                    Path f = bin.resolve(".flood-" + (n++ % 100_000));
                    try {
                        Files.write(f, new byte[] {1});
                        Files.delete(f);
                        made.incrementAndGet();
                    } catch (Exception e) {
                        // A name reused while the last one is still there: keep flooding.
                    }
                }
            }, "flood");
            long rssBefore = rssMb(d.pid());
            flood.start();
            long maxRss = rssBefore;
            long floodEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            long half = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS) / 2;
            while (System.nanoTime() < half) {
                maxRss = Math.max(maxRss, rssMb(d.pid()));
                Thread.sleep(200);   // sampling memory, not waiting for an outcome
            }
            Path target = bin.resolve("tool7");
            Files.writeString(target, "trojan in the flood");
            long t0 = System.nanoTime();
            JsonNode a = d.awaitAlert(x -> x.at("/file/path").asText().equals(target.toString())
                    && x.at("/event/action").asText().equals("updated"), SECONDS + 30);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            while (System.nanoTime() < floodEnd) {
                maxRss = Math.max(maxRss, rssMb(d.pid()));
                Thread.sleep(200);
            }
            stop.set(true);
            flood.join();
            System.out.printf("flood: %d files created and deleted in %d s (%.0f/s); the modification was alerted "
                            + "after %d ms (source %s); daemon RSS %d MB before, at most %d MB during%n",
                    made.get(), SECONDS, made.get() / (double) SECONDS, ms, a.at("/bim/source").asText(), rssBefore,
                    maxRss);
            assertEquals("critical", a.at("/bim/tier").asText());
            assertTrue(maxRss < 600, "memory stays bounded: " + maxRss + " MB");
            assertEquals(0, d.stop(), d.output());
        }
    }
}
