package org.securonis.bim.daemon;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.securonis.bim.core.SweepProgress;

/**
 * A progress line on a terminal's stderr (files, bytes, rate, time left), redrawn four times a second by its
 * own daemon thread until closed; closing erases it.
 */
final class ProgressLine implements AutoCloseable {

    private final PrintStream err;
    private final SweepProgress progress;
    private final String verb;
    private final Clock clock;
    private final Instant start;
    private final Thread thread;
    private volatile boolean closed;

    private ProgressLine(PrintStream err, SweepProgress progress, String verb, Clock clock) {
        this.err = err;
        this.progress = progress;
        this.verb = verb;
        this.clock = clock;
        this.start = Instant.now(clock);
        this.thread = new Thread(this::loop, "bim-progress");
        this.thread.setDaemon(true);
    }

    static ProgressLine start(PrintStream err, SweepProgress progress, String verb, Clock clock) {
        ProgressLine line = new ProgressLine(err, progress, verb, clock);
        line.thread.start();
        // Interrupted (Ctrl-C), the line is erased too, not left for the shell's prompt to follow.
        Thread eraser = new Thread(line::close, "bim-progress-erase");
        try {
            Runtime.getRuntime().addShutdownHook(eraser);
            line.eraser = eraser;
        } catch (IllegalStateException shuttingDown) {
            // Already exiting: close() erases it.
        }
        return line;
    }

    private Thread eraser;

    private void loop() {
        while (!closed) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
            if (!closed) {
                err.print("\r" + fit(render()) + "\033[K");
                err.flush();
            }
        }
    }

    String render() {
        long files = progress.doneFiles();
        long total = progress.totalFiles();
        long bytes = progress.doneBytes();
        long totalBytes = progress.totalBytes();
        double secs = Math.max(0.001, Duration.between(start, Instant.now(clock)).toMillis() / 1000.0);
        double rate = bytes / secs;
        // The bytes known only once the baseline is read (check hashes meanwhile): "?" until then. Time left is
        // what the bytes still to hash take at the rate so far, rounded up; once they are all hashed, what the
        // files left take at the rate of files (the largest files go first, so that rate is too low before).
        String left = "-";
        if (totalBytes > 0 && rate > 0 && files > 0) {
            double seconds = totalBytes > bytes ? (totalBytes - bytes) / rate : Math.max(0, total - files) / (files / secs);
            left = clock((long) Math.ceil(seconds));
        }
        return String.format("bim %s: %d/%d files, %s/%s, %s/s, %s left", verb, files, total, Sizes.human(bytes),
                totalBytes > 0 ? Sizes.human(Math.max(bytes, totalBytes)) : "?", Sizes.human((long) rate), left);
    }

    /**
     * The line cut to the terminal's width where the shell says it ($COLUMNS): a line longer than the terminal
     * wraps, and each redraw then leaves a line behind.
     */
    static String fit(String line) {
        return fit(line, System.getenv("COLUMNS"));
    }

    static String fit(String line, String columns) {
        int width;
        try {
            width = columns == null ? 0 : Integer.parseInt(columns.trim());
        } catch (NumberFormatException e) {
            width = 0;
        }
        return width > 1 && line.length() >= width ? line.substring(0, width - 1) : line;
    }

    private static String clock(long seconds) {
        return String.format("%d:%02d", seconds / 60, seconds % 60);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Thread hook = eraser;
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs or has run: the line is erased either way.
            }
        }
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        err.print("\r\033[K");
        err.flush();
    }

    /** Whether stderr is a terminal: on Linux, fd 2 links to a tty or pty device. */
    static boolean stderrIsTerminal() {
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
