package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** processesUsing and the archive on the real /proc: a child process that holds a temp file open on its stdin. */
@EnabledOnOs(OS.LINUX)
class ProcRealProcessTest {

    @TempDir
    Path tmp;

    @Test
    void processesUsingAndArchive_listAChildHoldingTheFileOpen() throws Exception {
        Path held = Files.writeString(tmp.resolve("held.bin"), "evidence").toRealPath();
        long[] di = ProcFake.devIno(held);
        Process child = new ProcessBuilder("sleep", "30")
                .redirectInput(held.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            long pid = child.pid();
            awaitExecWithFd(pid, held, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
            Forensics f = new Forensics(Path.of("/proc"), Clock.systemUTC(), 1 << 20, Duration.ofSeconds(20));
            List<ProcessInfo> using = f.processesUsing(held, di[0], di[1]);
            ProcessInfo p = using.stream().filter(i -> i.pid() == pid).findFirst().orElse(null);
            assertNotNull(p, "child " + pid + " holds " + held + " open, got " + using);
            assertEquals(List.of("fd"), p.how());
            assertEquals("sleep", p.name());
            assertEquals("sleep 30", p.cmdline());
            assertEquals(ProcessHandle.current().pid(), p.ppid());
            assertEquals(ProcessHandle.current().pid(), p.parents().get(0));
            assertTrue(p.parents().get(p.parents().size() - 1) == 1L || p.parents().size() < ProcScanner.MAX_PARENTS,
                    "the chain ends at pid 1 or at the first ancestor outside our pid namespace: " + p.parents());

            // The same on the real /proc, end to end: the archive lists the holder and its manifest verifies.
            Instant t = Instant.now();
            FileRecord now = new FileRecord(held.toString(), FileType.FILE, ForensicArchiveTest.sha256(
                    Files.readAllBytes(held)), 8, 0644, 0, 0, di[1], di[0], 1, t, t, null, Tier.CRITICAL, t);
            Path out = Files.createDirectories(tmp.resolve("out"));
            Forensics.ArchiveResult r = new Forensics(Path.of("/proc"), tmp.resolve("utmp"), Clock.systemUTC(),
                    64 << 20, Duration.ofSeconds(20)).writeArchive(out, "real-1",
                    List.of(new Evidence(held.toString(), now, null, held, now.sha256(), using)), null, List.of());
            Map<String, byte[]> m = ForensicArchiveTest.read(r.archive());
            ForensicArchiveTest.verifyManifest(m, "forensics-real-1/");
            JsonNode holders = new ObjectMapper().readTree(m.get("forensics-real-1/files/0/processes.json"));
            assertTrue(StreamSupport.stream(holders.spliterator(), false).anyMatch(n -> n.get("pid").asLong() == pid
                    && n.get("how").toString().equals("[\"fd\"]")), holders.toString());
            JsonNode all = new ObjectMapper().readTree(m.get("forensics-real-1/processes.json"));
            assertTrue(StreamSupport.stream(all.spliterator(), false).anyMatch(n -> n.get("pid").asLong() == pid),
                    "the process list holds the child");
            assertTrue(r.errors().stream().noneMatch(e -> e.contains("not understood")),
                    "the kernel's socket tables parse: " + r.errors());
            assertTrue(m.containsKey("forensics-real-1/sockets.json"));
            assertTrue(m.containsKey("forensics-real-1/mounts.txt"));
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Waits until the child has exec'd sleep and its fd 0 is the file. */
    private static void awaitExecWithFd(long pid, Path held, long deadline) throws Exception {
        Path proc = Path.of("/proc", Long.toString(pid));
        while (true) {
            try {
                String cmd = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
                if (cmd.startsWith("sleep\0") && Files.readSymbolicLink(proc.resolve("fd/0")).equals(held)) {
                    return;
                }
            } catch (IOException e) {
                // not there yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("child " + pid + " did not open " + held + " in time");
            }
            // A poll interval, not a guess at how long the child takes: the deadline above bounds the wait.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }
}
