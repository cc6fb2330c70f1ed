package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.securonis.bim.core.Action;
import org.securonis.bim.core.BackupStore;
import org.securonis.bim.core.FileRecord;
import org.securonis.bim.core.FileType;
import org.securonis.bim.core.Finding;
import org.securonis.bim.core.Quarantine;
import org.securonis.bim.core.Source;
import org.securonis.bim.core.Tier;

/** Quarantine and backup store on a real tmpfs: planted symlinks, unsafe directories, release, hash checks. */
class QuarantineTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T10:00:00Z"), ZoneOffset.UTC);
    private Tmpfs tmp;
    private Path qdir;
    private Path victim;

    @BeforeEach
    void setUp() throws Exception {
        tmp = Tmpfs.create("quarantine");
        qdir = tmp.root.resolve("q");
        victim = tmp.root.resolve("victim");
        Files.writeString(victim, "precious");
    }

    @AfterEach
    void cleanup() throws Exception {
        tmp.close();
    }

    private Finding tampered(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Instant t = CLOCK.instant();
        FileRecord now = new FileRecord(file.toString(), FileType.FILE, null, content.length(), 04755, 0, 0, 1, 1, 1, t,
                t, null, Tier.CRITICAL, t);
        return new Finding(Action.UPDATED, file.toString(), Tier.CRITICAL, null, now, List.of("sha256"), Source.EVENT, t,
                null);
    }

    private static String sha(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void capture_isTheTamperedBytesReadOnlyWithASidecar() throws Exception {
        Quarantine q = new Quarantine(qdir, CLOCK);
        q.prepare();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(qdir)));
        Path bin = tmp.root.resolve("su");
        Quarantine.Capture c = q.capture(tampered(bin, "trojan"), bin, "inc-1");
        assertEquals("20260601T100000.000Z-" + sha("trojan"), c.id());
        assertEquals("trojan", Files.readString(c.content()));
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(c.content())));
        assertEquals(bin.toString(), q.get(c.id()).path("path").asText());
        assertEquals("inc-1", q.get(c.id()).path("incident_id").asText());
        assertEquals(1, q.list().size());
    }

    @Test
    void plantedSymlink_doesNotRedirectTheWrite() throws Exception {
        Quarantine q = new Quarantine(qdir, CLOCK);
        q.prepare();
        Path bin = tmp.root.resolve("su");
        String stem = "20260601T100000.000Z-" + sha("trojan");
        Files.createSymbolicLink(qdir.resolve(stem), victim);
        Files.createSymbolicLink(qdir.resolve(stem + ".json"), victim);
        Quarantine.Capture c = q.capture(tampered(bin, "trojan"), bin, "inc-1");
        assertEquals("precious", Files.readString(victim), "the symlink's target is untouched");
        assertTrue(Files.isSymbolicLink(qdir.resolve(stem)), "the planted link is not replaced either");
        assertNotEquals(qdir.resolve(stem), c.content());
        assertEquals("trojan", Files.readString(c.content()));
        assertTrue(Files.isRegularFile(c.sidecar(), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void unsafeQuarantineDirectories_areRefused() throws Exception {
        Path elsewhere = Files.createDirectory(tmp.root.resolve("elsewhere"));
        Files.createSymbolicLink(qdir, elsewhere);
        IOException e = assertThrows(IOException.class, () -> new Quarantine(qdir, CLOCK).prepare());
        assertTrue(e.getMessage().contains("is a symlink: refused"), e.getMessage());
        Path open = Files.createDirectory(tmp.root.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        e = assertThrows(IOException.class, () -> new Quarantine(open, CLOCK).prepare());
        assertTrue(e.getMessage().contains("group- or world-writable"), e.getMessage());
    }

    @Test
    void release_putsTheCaptureBackWithItsModeAndRefusesAModifiedCapture() throws Exception {
        Quarantine q = new Quarantine(qdir, CLOCK);
        q.prepare();
        Path bin = tmp.root.resolve("tool");
        Quarantine.Capture c = q.capture(tampered(bin, "legit update"), bin, "inc-2");
        Files.writeString(bin, "something else");
        q.release(c.id(), bin);
        assertEquals("legit update", Files.readString(bin));
        assertEquals(04755, ((Number) Files.getAttribute(bin, "unix:mode")).intValue() & 07777);
        assertTrue(Files.exists(c.content()), "the capture stays as evidence");

        Files.setPosixFilePermissions(c.content(), PosixFilePermissions.fromString("rw-------"));
        Files.writeString(c.content(), "forged");
        IOException e = assertThrows(IOException.class, () -> q.release(c.id(), bin));
        assertTrue(e.getMessage().contains("does not match its recorded SHA-256"), e.getMessage());
        assertEquals("legit update", Files.readString(bin));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> q.release("../../etc/passwd", bin));
    }

    @Test
    void backupStore_keepsOneCopyPerContent_andNeverRestoresAForgedCopy() throws Exception {
        BackupStore store = new BackupStore(tmp.root.resolve("backup"));
        store.prepare();
        Path a = tmp.root.resolve("a");
        Files.writeString(a, "good");
        store.store(a, sha("good"));
        store.store(a, sha("good"));
        assertTrue(store.has(sha("good")));
        IOException changed = assertThrows(IOException.class, () -> store.store(a, sha("other")));
        assertTrue(changed.getMessage().contains("changed since it was recorded"), changed.getMessage());

        Instant t = Instant.parse("2020-01-01T00:00:00Z");
        FileRecord base = new FileRecord(a.toString(), FileType.FILE, sha("good"), 4, 0750, 0, 0, 1, 1, 1, t, t, null,
                Tier.CRITICAL, t);
        Files.writeString(a, "evil");
        BackupStore.Restored r = store.restore(base, a);
        assertArrayEquals("good".getBytes(), Files.readAllBytes(a));
        assertEquals(0750, ((Number) Files.getAttribute(a, "unix:mode")).intValue() & 07777);
        assertEquals(t, Files.getLastModifiedTime(a).toInstant());
        assertEquals(((Number) Files.getAttribute(a, "unix:ino")).longValue(), r.inode());

        Path copy = store.pathOf(sha("good"));
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(copy, "forged");
        Files.writeString(a, "evil again");
        IOException forged = assertThrows(IOException.class, () -> store.restore(base, a));
        assertTrue(forged.getMessage().contains("does not match its hash"), forged.getMessage());
        assertEquals("evil again", Files.readString(a), "nothing restored from a forged copy");
    }
}
