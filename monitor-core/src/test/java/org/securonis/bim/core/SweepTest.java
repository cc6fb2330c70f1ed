package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SweepTest {

    private final FileSystem fs = TestFs.unix();
    private Config.Binaries binaries;
    private final Verifier verifier = new Verifier(new Inspector(TestFs.CLOCK), TestFs.CLOCK);
    private final Sweep sweep = new Sweep(verifier, 3, TestFs.CLOCK);

    @BeforeEach
    void tree() throws Exception {
        TestFs.file(fs, "/usr/bin/su", "su-binary");
        TestFs.file(fs, "/usr/bin/ls", "ls-binary");
        TestFs.file(fs, "/usr/bin/cat", "cat-binary");
        TestFs.file(fs, "/usr/bin/old", "old-binary");
        Files.createSymbolicLink(fs.getPath("/usr/bin/sh"), fs.getPath("ls"));
        binaries = TestFs.binaries(List.of("/usr/bin/su"), List.of("/usr/bin/*"), List.of(), List.of());
    }

    @AfterEach
    void close() throws Exception {
        fs.close();
    }

    private Baseline init() throws Exception {
        SweepResult r = sweep.run(MonitoredSet.resolve(binaries, fs), Baseline.empty(TestFs.CLOCK.instant()),
                Source.SWEEP, new SweepProgress());
        List<FileRecord> records = new ArrayList<>();
        r.observations().values().forEach(o -> records.add(o.state()));
        return Baseline.of(TestFs.CLOCK.instant(), TestFs.CLOCK.instant(), records);
    }

    private Map<String, Action> check(Baseline b) throws Exception {
        SweepResult r = sweep.run(MonitoredSet.resolve(binaries, fs), b, Source.SWEEP, new SweepProgress());
        Map<String, Action> m = new TreeMap<>();
        r.findings().forEach(f -> m.put(f.path(), f.action()));
        return m;
    }

    @Test
    void capture_recordsDigestComputedIndependentlyAndLinkTargets() throws Exception {
        Baseline b = init();
        assertEquals(5, b.size());
        FileRecord su = b.get("/usr/bin/su");
        assertEquals(TestFs.sha256("su-binary"), su.sha256());
        assertEquals(9, su.size());
        assertEquals(Tier.CRITICAL, su.tier());
        FileRecord sh = b.get("/usr/bin/sh");
        assertEquals(FileType.SYMLINK, sh.type());
        assertEquals("ls", sh.target());
        assertNull(sh.sha256(), "a link is not followed and hashed as if it were the file");
    }

    @Test
    void cleanTree_hasNoFindings() throws Exception {
        assertEquals(Map.of(), check(init()));
    }

    @Test
    void everyKindOfTampering_isFoundExactly() throws Exception {
        Baseline b = init();
        // Same size, mtime put back: only the digest can tell.
        FileTime mtime = Files.getLastModifiedTime(fs.getPath("/usr/bin/ls"));
        Files.writeString(fs.getPath("/usr/bin/ls"), "LS-binary");
        Files.setLastModifiedTime(fs.getPath("/usr/bin/ls"), mtime);
        Files.setPosixFilePermissions(fs.getPath("/usr/bin/cat"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.delete(fs.getPath("/usr/bin/su"));
        TestFs.file(fs, "/usr/bin/evil", "evil");
        Files.delete(fs.getPath("/usr/bin/sh"));
        Files.createSymbolicLink(fs.getPath("/usr/bin/sh"), fs.getPath("/tmp/evil"));
        Files.move(fs.getPath("/usr/bin/old"), fs.getPath("/usr/bin/renamed"));
        assertEquals(Map.of(
                "/usr/bin/ls", Action.UPDATED,
                "/usr/bin/cat", Action.ATTRIBUTES_MODIFIED,
                "/usr/bin/su", Action.DELETED,
                "/usr/bin/evil", Action.CREATED,
                "/usr/bin/sh", Action.UPDATED,
                "/usr/bin/renamed", Action.MOVED), check(b));
    }

    @Test
    void renameOver_isUpdated() throws Exception {
        Baseline b = init();
        TestFs.file(fs, "/tmp/new-su", "trojan");
        Files.move(fs.getPath("/tmp/new-su"), fs.getPath("/usr/bin/su"), StandardCopyOption.REPLACE_EXISTING);
        SweepResult r = sweep.run(MonitoredSet.resolve(binaries, fs), b, Source.SWEEP, new SweepProgress());
        assertEquals(1, r.findings().size());
        Finding f = r.findings().get(0);
        assertEquals(Action.UPDATED, f.action());
        assertEquals(Tier.CRITICAL, f.tier());
        assertEquals(List.of("sha256", "size", "inode"), f.changes());
        assertEquals(TestFs.sha256("trojan"), f.current().sha256());
        assertEquals(TestFs.sha256("su-binary"), f.previous().sha256());
    }

    @Test
    void progress_countsEveryFileAndByte() throws Exception {
        Baseline b = init();
        SweepProgress p = new SweepProgress();
        SweepResult r = sweep.run(MonitoredSet.resolve(binaries, fs), b, Source.SWEEP, p);
        assertEquals(5, p.totalFiles());
        assertEquals(5, p.doneFiles());
        long bytes = 9 + 9 + 10 + 10;
        assertEquals(bytes, r.bytes());
        assertTrue(p.doneBytes() >= bytes);
    }

    @Test
    void pathOutsideTheSetButInTheBaseline_isStillVerified() throws Exception {
        Baseline b = init();
        binaries = TestFs.binaries(List.of(), List.of("/usr/bin/s*"), List.of(), List.of());
        Files.writeString(fs.getPath("/usr/bin/cat"), "changed");
        assertEquals(Map.of("/usr/bin/cat", Action.UPDATED), check(b));
    }

    @Test
    void aDirectoryReplacedByASymlink_makesWhatWasBelowItDeleted_notReadThroughTheLink() throws Exception {
        TestFs.file(fs, "/usr/bin/sub/tool", "the recorded tool");
        binaries = TestFs.binaries(List.of(), List.of("/usr/bin/**"), List.of(), List.of());
        Baseline b = init();
        TestFs.file(fs, "/elsewhere/tool", "the intruder's tool");
        Files.move(fs.getPath("/usr/bin/sub"), fs.getPath("/moved"));
        Files.createSymbolicLink(fs.getPath("/usr/bin/sub"), fs.getPath("/elsewhere"));
        assertEquals(Map.of("/usr/bin/sub/tool", Action.DELETED, "/usr/bin/sub", Action.CREATED), check(b));
    }

    @Test
    void aRecordNoLongerInTheSet_isReadThroughItsSymlinkedRoot() throws Exception {
        TestFs.file(fs, "/usr/lib/libc.so.6", "libc");
        TestFs.file(fs, "/usr/lib/libm.so.6", "libm");
        Files.createSymbolicLink(fs.getPath("/lib"), fs.getPath("usr/lib"));
        binaries = TestFs.binaries(List.of(), List.of(), List.of("/lib/lib*.so*"), List.of());
        Baseline b = init();
        assertEquals(2, b.size());
        // Narrowed: libm is no longer matched but still recorded, and is read as /usr/lib/libm.so.6.
        binaries = TestFs.binaries(List.of(), List.of(), List.of("/lib/libc*"), List.of());
        assertEquals(Map.of(), check(b));
        Files.writeString(fs.getPath("/usr/lib/libm.so.6"), "changed");
        assertEquals(Map.of("/lib/libm.so.6", Action.UPDATED), check(b));
    }

    // A baseline that arrives while the sweep runs (check parses it while the set is hashed): the same findings as
    // with the baseline given whole, for files hashed before it came and after, and for paths only it has.
    @Test
    void aBaselineStillLoading_givesTheSameFindingsAsOneGivenWhole() throws Exception {
        TestFs.file(fs, "/usr/bin/big", "b".repeat(3 << 20)); // over Sweep.LARGE: ordered once the baseline is known
        Baseline b = init();
        Files.writeString(fs.getPath("/usr/bin/cat"), "changed");
        Files.delete(fs.getPath("/usr/bin/old"));
        Files.setPosixFilePermissions(fs.getPath("/usr/bin/ls"), PosixFilePermissions.fromString("rwxrwxrwx"));
        TestFs.file(fs, "/usr/bin/new", "new-binary");
        Map<String, Action> expected = Map.of("/usr/bin/cat", Action.UPDATED, "/usr/bin/old", Action.DELETED,
                "/usr/bin/ls", Action.ATTRIBUTES_MODIFIED, "/usr/bin/new", Action.CREATED);
        assertEquals(expected, check(b));

        // The workers hash on while the baseline is held back; the comparison waits for it.
        java.util.concurrent.CompletableFuture<Baseline> pending = new java.util.concurrent.CompletableFuture<>();
        SweepProgress progress = new SweepProgress();
        java.util.concurrent.CompletableFuture<SweepResult> running = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return sweep.run(MonitoredSet.resolve(binaries, fs), pending, Source.SWEEP, progress, false);
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (progress.doneFiles() < 6 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(6, progress.doneFiles(), "every member hashed before the baseline came");
        assertTrue(!running.isDone(), "the comparison waits for the baseline");
        pending.complete(b);
        SweepResult r = running.get(10, java.util.concurrent.TimeUnit.SECONDS);
        Map<String, Action> found = new TreeMap<>();
        r.findings().forEach(f -> found.put(f.path(), f.action()));
        assertEquals(expected, found);
        assertEquals(7, r.files(), "the members and the path only the baseline has");
        assertEquals(7, progress.totalFiles());
        assertEquals(b.files().values().stream().mapToLong(FileRecord::size).sum(), progress.totalBytes());
    }

    @Test
    void aBaselineThatFailsToLoad_stopsTheSweepWithItsCause() throws Exception {
        java.util.concurrent.CompletableFuture<Baseline> pending = new java.util.concurrent.CompletableFuture<>();
        SweepProgress progress = new SweepProgress();
        java.util.concurrent.CompletableFuture<Throwable> running = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    try {
                        sweep.run(MonitoredSet.resolve(binaries, fs), pending, Source.SWEEP, progress, false);
                        return null;
                    } catch (Exception e) {
                        return e;
                    }
                });
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (progress.doneFiles() < 1 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        pending.completeExceptionally(new IllegalStateException("the seal does not match"));
        Throwable e = running.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(e instanceof java.util.concurrent.ExecutionException, String.valueOf(e));
        assertEquals("the seal does not match", e.getCause().getMessage());
    }
}
