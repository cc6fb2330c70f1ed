package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.securonis.bim.linux.WatchEvent;

/** The daemon in this JVM: an overflow answered by a sweep, and a stop that leaves no thread or fd behind. */
class DaemonInProcessTest {

    private Tmpfs tmp;
    private Path bin;
    private Path config;
    private Fakes fakes;

    @BeforeEach
    void tree() throws Exception {
        tmp = Tmpfs.create("inproc");
        bin = Files.createDirectories(tmp.root.resolve("usr/bin"));
        Files.writeString(bin.resolve("ls"), "ls binary");
        Files.writeString(bin.resolve("cat"), "cat binary");
        fakes = Fakes.in(tmp.root.resolve("fakes"));
        config = tmp.root.resolve("bim.toml");
        Files.writeString(config, """
                [monitor]
                lockdown_script = "%2$s"
                database_path = "%1$s/state/hashes.json"
                key_path = "%1$s/state/bim.key"
                log_dir = "%1$s/state/log"
                max_workers = 1
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

    /** What this JVM's descriptors point at (other parts of the JVM open and close files meanwhile). */
    private static List<String> openFds() throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) s::iterator) {
                try {
                    out.add(Files.readSymbolicLink(fd).toString());
                } catch (java.io.IOException e) {
                    // Closed while listing.
                }
            }
        }
        return out;
    }

    private static long count(List<String> fds, String what) {
        return fds.stream().filter(t -> t.contains(what)).count();
    }

    private static List<String> bimThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("bim-")).sorted().toList();
    }

    private static void await(java.util.function.BooleanSupplier condition, int seconds, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void overflow_triggersASweepThatFindsWhatNoEventReported_andStopLeavesNothingBehind() throws Exception {
        List<String> fdsBefore = openFds();
        CommandLine line = CommandLine.parse(new String[] {"--config", config.toString(), "daemon"});
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Invocation inv = Invocation.open(line, Clock.systemUTC(), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        DaemonCommand daemon = new DaemonCommand(inv, false);
        AtomicReference<Integer> exit = new AtomicReference<>();
        Thread serving = new Thread(() -> {
            try {
                exit.set(daemon.serve());
            } catch (UsageException e) {
                exit.set(e.exitCode());
            }
        }, "test-daemon");
        serving.start();
        assertTrue(daemon.awaitReady(30), "daemon ready");
        assertTrue(bimThreads().contains("bim-sweeper"), bimThreads().toString());

        // Tamper where no event reaches the watch: through a hard link in an unwatched directory.
        Path alias = tmp.root.resolve("alias");
        Files.createLink(alias, bin.resolve("cat"));
        Files.writeString(alias, "trojan", StandardOpenOption.TRUNCATE_EXISTING);
        Path alerts = tmp.root.resolve("state/log/binary_integrity_alerts.log");
        daemon.intake().onEvent(new WatchEvent(WatchEvent.Kind.OVERFLOW, null, null, false, "", new byte[0],
                new byte[0]));
        await(() -> {
            try {
                return Files.exists(alerts) && Files.readString(alerts).contains("\"source\":\"sweep\"")
                        && Files.readString(alerts).contains(bin.resolve("cat").toString());
            } catch (Exception e) {
                return false;
            }
        }, 10, "a sweep alert for the tampered file after the overflow");
        Path logFile = tmp.root.resolve("state/log/binary_integrity_monitor.log");
        await(() -> {
            try {
                return Files.readString(logFile).contains("sweep (inotify overflow) done");
            } catch (Exception e) {
                return false;
            }
        }, 10, "the overflow sweep's summary line");
        String log = Files.readString(logFile);
        assertTrue(log.contains("inotify queue overflowed: events were lost; sweeping now"), log);

        daemon.requestStop();
        serving.join(30_000);
        assertEquals(0, exit.get());
        await(() -> bimThreads().isEmpty(), 10, "no bim thread alive; still: " + bimThreads());
        List<String> fdsAfter = openFds();
        assertEquals(List.of(), fdsAfter.stream().filter(t -> t.startsWith(tmp.root.toString())).toList(),
                "no descriptor left on the daemon's files (logs, state, baseline)");
        assertEquals(count(fdsBefore, "inotify"), count(fdsAfter, "inotify"), "the inotify descriptor is closed");
        assertEquals(count(fdsBefore, "eventfd"), count(fdsAfter, "eventfd"), "the wake-up eventfd is closed");
    }
}
