package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.securonis.bim.core.FileType;
import org.securonis.bim.core.Inspector;
import org.securonis.bim.core.MonitoredFile;
import org.securonis.bim.core.Observation;
import org.securonis.bim.core.Throttle;
import org.securonis.bim.core.Tier;

/**
 * Files that change while the inspector reads them, on a real tmpfs with the opener the commands and the daemon
 * use: a FIFO swapped in between the lstat and the open, and a file truncated or replaced mid-hash.
 */
class HashRaceTest {

    private Tmpfs tmp;

    @BeforeEach
    void mount() throws Exception {
        tmp = Tmpfs.create("race", 256);
    }

    @AfterEach
    void unmount() throws Exception {
        tmp.close();
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void aFifoSwappedInBetweenLstatAndOpen_neverBlocksAndNeverGetsTheFilesHash() throws Exception {
        Path p = tmp.root.resolve("target");
        Path fifo = tmp.root.resolve("fifo");
        Path file = tmp.root.resolve("file");
        byte[] content = "the real file".getBytes();
        Files.write(file, content);
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        String good = sha256(content);
        Inspector inspector = new Inspector(Clock.systemUTC(), null, NativeOpener.best());
        AtomicBoolean stop = new AtomicBoolean();
        // P is, by turns, the FIFO, nothing, the regular file, nothing: as fast as rename goes.
        CompletableFuture<Void> swapper = CompletableFuture.runAsync(() -> {
            try {
                while (!stop.get()) {
                    Files.move(fifo, p, StandardCopyOption.ATOMIC_MOVE);
                    Files.move(p, fifo, StandardCopyOption.ATOMIC_MOVE);
                    Files.move(file, p, StandardCopyOption.ATOMIC_MOVE);
                    Files.move(p, file, StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Map<String, Integer> seen = new TreeMap<>();
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (System.nanoTime() < until || seen.getOrDefault("file", 0) < 10 || seen.getOrDefault("fifo", 0) < 10) {
                    Observation o = inspector.capture(new MonitoredFile(p.toString(), p, Tier.SYSTEM));
                    String kind = o.isMissing() ? "missing" : o.isFailed() ? "failed" : o.state().type().label();
                    seen.merge(kind, 1, Integer::sum);
                    if (o.isPresent() && o.state().type() == FileType.FILE) {
                        assertEquals(good, o.state().sha256(), "a file record carries the file's own hash");
                    }
                    if (o.isPresent() && o.state().type() == FileType.FIFO) {
                        assertEquals(null, o.state().sha256());
                    }
                }
            }, "a capture blocked: a FIFO was opened for reading");
        } finally {
            stop.set(true);
            swapper.get(10, TimeUnit.SECONDS);
        }
        System.out.println("fifo swap race: " + seen);
    }

    /** Starts a capture of p paced to about 2 s a pass, and returns once it has hashed a few MB of the first. */
    private static CompletableFuture<Observation> captureSlowly(Path p) throws InterruptedException {
        Inspector inspector = new Inspector(Clock.systemUTC(), Throttle.of(20_000_000L), NativeOpener.best());
        CompletableFuture<Observation> capture = CompletableFuture.supplyAsync(
                () -> inspector.capture(new MonitoredFile(p.toString(), p, Tier.SYSTEM)));
        await(() -> inspector.bytesHashed() > (4 << 20), "the hash to start");
        return capture;
    }

    @Test
    void aFileTruncatedWhileBeingHashed_isHashedAgainAsItIsNow() throws Exception {
        Path p = tmp.root.resolve("big");
        byte[] content = new byte[40 << 20];
        new java.util.Random(1).nextBytes(content);
        Files.write(p, content);
        CompletableFuture<Observation> capture = captureSlowly(p);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(1 << 20);
        }
        Observation o = capture.get(60, TimeUnit.SECONDS);
        assertTrue(o.isPresent(), String.valueOf(o));
        assertEquals(1 << 20, o.state().size());
        assertEquals(sha256(java.util.Arrays.copyOf(content, 1 << 20)), o.state().sha256());
    }

    @Test
    void aFileReplacedByRenameWhileBeingHashed_isHashedAgainAsTheNewFile() throws Exception {
        Path p = tmp.root.resolve("big");
        byte[] content = new byte[40 << 20];
        new java.util.Random(2).nextBytes(content);
        Files.write(p, content);
        byte[] replacement = "a trojan, small and quick".getBytes();
        Path staged = tmp.root.resolve("staged");
        Files.write(staged, replacement);
        CompletableFuture<Observation> capture = captureSlowly(p);
        long oldInode = ((Number) Files.getAttribute(p, "unix:ino")).longValue();
        Files.move(staged, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Observation o = capture.get(60, TimeUnit.SECONDS);
        assertTrue(o.isPresent(), String.valueOf(o));
        assertEquals(sha256(replacement), o.state().sha256(), "the hash is of the file at the path now");
        assertTrue(o.state().inode() != oldInode);
    }
}
