package org.securonis.bim.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The daemon as a real child process, with waits on its logs that have deadlines (never fixed sleeps). */
final class DaemonProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final Path logDir;
    private final Path output;

    private final int firstLine;

    private DaemonProcess(Process process, Path logDir, Path output, int firstLine) {
        this.process = process;
        this.logDir = logDir;
        this.output = output;
        this.firstLine = firstLine;
    }

    static DaemonProcess start(Path config, Path logDir, String... extra) throws Exception {
        return start(config, logDir, java.util.Map.of(), extra);
    }

    static DaemonProcess start(Path config, Path logDir, java.util.Map<String, String> env, String... extra)
            throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", cp, Main.class.getName(), "--config", config.toString(), "daemon"));
        cmd.addAll(List.of(extra));
        Path output = Files.createTempFile("bim-daemon-", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().put("LANG", "C.UTF-8");
        pb.environment().putAll(env);
        // The log survives restarts: this process's lines start after what is there now.
        Path log = logDir.resolve("binary_integrity_monitor.log");
        int firstLine = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8).size() : 0;
        DaemonProcess d = new DaemonProcess(pb.start(), logDir, output, firstLine);
        d.awaitLog(l -> l.contains("DaemonCommand: watching "), 30);
        return d;
    }

    long pid() {
        return process.pid();
    }

    /** The alert log's objects so far. */
    List<JsonNode> alerts() throws IOException {
        Path f = logDir.resolve("binary_integrity_alerts.log");
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(f)) {
            return out;
        }
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    /** The standard log's lines written by this process so far. */
    List<String> log() throws IOException {
        Path f = logDir.resolve("binary_integrity_monitor.log");
        List<String> all = Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : List.of();
        return all.subList(Math.min(firstLine, all.size()), all.size());
    }

    /** Waits until an alert matches, failing with what was seen after {@code seconds}. */
    JsonNode awaitAlert(Predicate<JsonNode> match, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            for (JsonNode a : alerts()) {
                if (match.test(a)) {
                    return a;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no matching alert within " + seconds + " s; alerts: " + alerts()
                        + "\nlog tail: " + tail());
            }
            checkAlive();
            Thread.onSpinWait();
            Thread.sleep(10);
        }
    }

    /** Waits until a standard-log line matches. */
    String awaitLog(Predicate<String> match, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            for (String l : log()) {
                if (match.test(l)) {
                    return l;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no matching log line within " + seconds + " s; log: " + tail());
            }
            checkAlive();
            Thread.sleep(10);
        }
    }

    /** Counts the standard-log lines matching. */
    long countLog(Predicate<String> match) throws IOException {
        return log().stream().filter(match).count();
    }

    private void checkAlive() throws IOException {
        if (!process.isAlive()) {
            throw new AssertionError("the daemon exited with " + process.exitValue() + ": "
                    + Files.readString(output) + "\nlog: " + tail());
        }
    }

    private String tail() throws IOException {
        List<String> l = log();
        return String.join("\n", l.subList(Math.max(0, l.size() - 30), l.size()));
    }

    void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + name + " failed");
        }
    }

    /** SIGTERM, then waits for the exit; returns the exit code. */
    int stop() throws Exception {
        if (process.isAlive()) {
            signal("TERM");
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the daemon did not stop within 30 s after SIGTERM");
        }
        return process.exitValue();
    }

    String output() throws IOException {
        return Files.readString(output);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(output);
    }

    static String classPathSeparator() {
        return File.pathSeparator;
    }
}
