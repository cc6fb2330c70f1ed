package org.securonis.bim.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external program (the lockdown script, sendmail) with a time limit; a fake one stands in for tests. */
public interface CommandRunner {

    /**
     * What a run ended with.
     *
     * @param output stdout and stderr together, at most 64 KiB
     */
    record Result(int exitCode, String output, boolean timedOut) {
        public boolean ok() {
            return exitCode == 0 && !timedOut;
        }
    }

    /** Runs {@code argv} with {@code stdin} (may be empty) and extra environment; kills it after {@code timeout}. */
    Result run(List<String> argv, byte[] stdin, Map<String, String> env, Duration timeout) throws IOException;

    /** The real one: a child process, its output captured, killed (with its children) on time-out. */
    static CommandRunner processes() {
        return (argv, stdin, env, timeout) -> {
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
            // systemd's notify variables are the daemon's alone: a child must not speak for it. Nor does a
            // private key's passphrase, should one be in our environment, go to the lockdown script or the mailer.
            pb.environment().keySet().removeAll(java.util.Set.of("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
                    "BIM_PASSPHRASE"));
            pb.environment().putAll(env);
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin);
            } catch (IOException e) {
                // The program does not read its input: that is its business.
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try (InputStream s = p.getInputStream()) {
                    byte[] buf = new byte[8192];
                    for (int r; (r = s.read(buf)) > 0; ) {
                        synchronized (out) {
                            if (out.size() < 65536) {
                                out.write(buf, 0, Math.min(r, 65536 - out.size()));
                            }
                        }
                    }
                } catch (IOException e) {
                    // The stream closes when the process is killed.
                }
            }, "bim-command-output");
            reader.setDaemon(true);
            reader.start();
            boolean finished;
            try {
                finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!finished) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
                reader.join(2000);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + argv.get(0));
            }
            String text;
            synchronized (out) {
                text = out.toString(StandardCharsets.UTF_8);
            }
            return new Result(finished ? p.exitValue() : -1, text, !finished);
        };
    }
}
