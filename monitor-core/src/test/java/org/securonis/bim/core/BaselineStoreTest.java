package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BaselineStoreTest {

    private final FileSystem fs = TestFs.unix();
    private final Path db = fs.getPath("/var/lib/bim/hashes.json");
    private final BaselineStore store = new BaselineStore(db);
    private static final Instant T = Instant.parse("2026-03-04T05:06:07.123456789Z");

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    private Baseline sample() {
        FileRecord file = new FileRecord("/usr/bin/su", FileType.FILE, TestFs.sha256("su"), 123, 04755, 0, 0, 77, 2049,
                1, T, T, null, Tier.CRITICAL, T);
        FileRecord link = new FileRecord("/usr/bin/sh", FileType.SYMLINK, null, 4, 0777, 0, 0, 78, 2049, 1, T, T,
                "dash", Tier.SYSTEM, T);
        FileRecord fifo = new FileRecord("/usr/bin/p\nipe \"q\"", FileType.FIFO, null, 0, 0644, 4294967294L > 0 ? -2 : 0,
                65534, 79, 2049, 1, T, T, null, Tier.SYSTEM, T);
        return Baseline.of(T, T, List.of(file, link, fifo));
    }

    @Test
    void saveThenLoad_roundTripsEveryField() throws Exception {
        Files.createDirectories(db.getParent());
        Baseline b = sample();
        store.save(b);
        assertEquals(b, store.load());
        try (Stream<Path> files = Files.list(db.getParent())) {
            assertEquals(List.of(db), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void everyTruncation_isAnErrorNeverAnEmptyBaseline() throws Exception {
        Files.createDirectories(db.getParent());
        store.save(sample());
        byte[] whole = Files.readAllBytes(db);
        for (int len = 0; len < whole.length - 1; len++) {
            Files.write(db, Arrays.copyOf(whole, len));
            int n = len;
            BaselineException e = assertThrows(BaselineException.class, store::load, () -> "length " + n);
            assertTrue(e.getMessage().startsWith(db.toString()), e.getMessage());
            assertTrue(!e.getMessage().contains("REDACTED") && !e.getMessage().contains("StreamReadFeature"),
                    "the parser's own notes about its source stay out of the message: " + e.getMessage());
        }
    }

    @Test
    void missingFile_saysHowToRecordOne() {
        BaselineException e = assertThrows(BaselineException.class, store::load);
        assertEquals(db + ": no baseline here (record one with `bim init`)", e.getMessage());
    }

    private String refusal(String json) throws IOException {
        Files.createDirectories(db.getParent());
        Files.writeString(db, json);
        return assertThrows(BaselineException.class, store::load).getMessage();
    }

    @Test
    void corruptContent_isRefusedNamingTheProblem() throws Exception {
        String head = "{\"format\":\"bim-baseline\",\"version\":1,\"created\":\"2026-01-01T00:00:00Z\","
                + "\"updated\":\"2026-01-01T00:00:00Z\",\"files\":[";
        String rec = "{\"path\":\"/a\",\"type\":\"file\",\"sha256\":\"" + TestFs.sha256("a") + "\",\"size\":1,"
                + "\"mode\":\"0755\",\"uid\":0,\"gid\":0,\"inode\":1,\"device\":1,\"nlink\":1,"
                + "\"mtime\":\"2026-01-01T00:00:00Z\",\"ctime\":\"2026-01-01T00:00:00Z\",\"target\":null,"
                + "\"tier\":\"system\",\"checked\":\"2026-01-01T00:00:00Z\"}";
        assertTrue(refusal("[]").contains("expected a JSON object"));
        assertTrue(refusal("{\"format\":\"other\",\"version\":1,\"files\":[]}").contains("must come before"));
        assertTrue(refusal(head.replace("\"version\":1", "\"version\":2") + "]}").contains("version 2 is not supported"));
        assertTrue(refusal(head + rec + "," + rec + "]}").contains("is recorded twice"));
        assertTrue(refusal(head + rec.replace("\"size\":1", "\"size\":-1") + "]}").contains("size (-1)"));
        assertTrue(refusal(head + rec.replace("\"size\":1", "\"size\":\"1\"") + "]}")
                .contains("\"size\" must be an integer"));
        assertTrue(refusal(head + rec.replace("0755", "rwx") + "]}").contains("octal"));
        assertTrue(refusal(head + rec.replace(TestFs.sha256("a"), "zz") + "]}").contains("64 lower-case hex"));
        assertTrue(refusal(head + rec.replace("\"sha256\":\"" + TestFs.sha256("a") + "\"", "\"sha256\":null") + "]}")
                .contains("needs its \"sha256\""));
        assertTrue(refusal(head + rec.replace("\"tier\":\"system\"", "\"tier\":\"gold\"") + "]}").contains("tier (gold)"));
        assertTrue(refusal(head + rec.replace("\"path\":\"/a\"", "\"path\":\"a\"") + "]}").contains("must be absolute"));
        assertTrue(refusal(head + rec.replace("\"nlink\":1", "\"nlink\":1,\"extra\":1") + "]}")
                .contains("unknown field \"extra\""));
        assertTrue(refusal(head + rec + "]}{}").contains("unexpected content after"));
        assertTrue(refusal(head + rec + "]}".replace("}", ",\"files\":[]}")).contains("duplicate field \"files\""));
        assertTrue(refusal(head + rec.replace("\"size\":1", "\"size\":1,\"size\":2") + "]}")
                .contains("files[0]: duplicate field \"size\""));
        assertTrue(refusal(head + rec.replace("\"target\":null", "\"target\":null,\"target\":\"/x\"") + "]}")
                .contains("files[0]: duplicate field \"target\""));
        assertTrue(refusal(head + rec.replace("\"uid\":0,", "") + "]}").contains("files[0]: \"uid\" is missing"));
        assertTrue(refusal(head + rec.replace("\"target\":null,", "") + "]}")
                .contains("files[0]: \"target\" is missing"));
        assertTrue(refusal(head + rec.replace("\"type\":\"file\"", "\"type\":\"blob\"") + "]}").contains("type (blob)"));
        assertTrue(refusal(head + rec.replace("\"type\":\"file\"", "\"type\":\"fil\"") + "]}").contains("type (fil)"));
        assertTrue(refusal(head + rec.replace("\"mode\":\"0755\"", "\"mode\":755") + "]}")
                .contains("\"mode\" must be a string"));
        assertTrue(refusal(head + rec.replace("0755", "") + "]}").contains("octal"));
        assertTrue(refusal(head + rec.replace("0755", "007777") + "]}").contains("octal"));
        assertTrue(refusal("[".repeat(5000)).contains(db.toString()));
        assertTrue(refusal("").contains(db.toString()));
    }

    @Test
    void failedWrite_leavesTheOldBaselineWhole() throws Exception {
        Files.createDirectories(db.getParent());
        store.save(sample());
        byte[] before = Files.readAllBytes(db);
        IOException boom = assertThrows(IOException.class, () -> AtomicFiles.write(db, out -> {
            out.write("{\"format\":".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", boom.getMessage());
        assertArrayEquals(before, Files.readAllBytes(db));
        try (Stream<Path> files = Files.list(db.getParent())) {
            assertEquals(List.of(db), files.toList());
        }
    }

    @Test
    void with_putsAndRemovesRecords() {
        Baseline b = sample();
        FileRecord n = TestFs.record("/usr/bin/new", TestFs.sha256("n"));
        java.util.HashMap<String, FileRecord> changes = new java.util.HashMap<>();
        changes.put("/usr/bin/new", n);
        changes.put("/usr/bin/sh", null);
        Baseline after = b.with(changes, T.plusSeconds(1));
        assertEquals(3, after.size());
        assertEquals(n, after.get("/usr/bin/new"));
        assertEquals(null, after.get("/usr/bin/sh"));
        assertEquals(T.plusSeconds(1), after.updated());
        assertEquals(Map.of(), Baseline.empty(T).files());
    }

    @Test
    void pathsUnder_listsOnlyThatDirectorysTree() {
        Baseline b = Baseline.of(T, T, List.of(TestFs.record("/a/b/c", null), TestFs.record("/a/b/d/e", null),
                TestFs.record("/a/bc", null), TestFs.record("/a/b", null)));
        assertEquals(List.of("/a/b/c", "/a/b/d/e"), b.pathsUnder("/a/b"));
        assertEquals(List.of(), b.pathsUnder("/z"));
    }

    @Test
    void sealedBaseline_verifies_andAnyEditOrStrippedSealIsASealException() throws Exception {
        Files.createDirectories(db.getParent());
        BaselineSeal seal = BaselineSeal.loadOrCreate(fs.getPath("/etc/bim.key"));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(fs.getPath("/etc/bim.key"))));
        BaselineStore sealed = new BaselineStore(db, seal);
        sealed.save(sample());
        assertEquals(sample(), sealed.load());
        String text = Files.readString(db);
        assertTrue(text.contains("\"seal\":\"hmac-sha256:"), text);

        // Bless a trojan: change one digest, leave everything else alone.
        Files.writeString(db, text.replace(TestFs.sha256("su"), TestFs.sha256("trojan")));
        SealException edited = assertThrows(SealException.class, sealed::load);
        assertTrue(edited.getMessage().contains("the seal does not match the content"), edited.getMessage());
        assertEquals(sample().size(), new BaselineStore(db).load().size(), "it still parses: only the seal tells");

        Files.writeString(db, text.replaceFirst(",\"seal\":\"hmac-sha256:[0-9a-f]{64}\"", ""));
        SealException stripped = assertThrows(SealException.class, sealed::load);
        assertTrue(stripped.getMessage().contains("has no seal"), stripped.getMessage());

        Files.writeString(db, text);
        BaselineSeal other = BaselineSeal.loadOrCreate(fs.getPath("/etc/other.key"));
        assertThrows(SealException.class, () -> new BaselineStore(db, other).load(), "another key does not verify");
    }

    @Test
    void keyReadableByOthers_isRefused() throws Exception {
        Path key = fs.getPath("/etc/bim.key");
        Files.createDirectories(key.getParent());
        BaselineSeal.loadOrCreate(key);
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        IOException e = assertThrows(IOException.class, () -> BaselineSeal.load(key));
        assertTrue(e.getMessage().contains("readable or writable by group or others (rw-r--r--)"), e.getMessage());
        Files.writeString(key, "not a key");
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThrows(IOException.class, () -> BaselineSeal.load(key));
    }

    @Test
    void largeSealedBaseline_verifiesAndAnEditFarInIsCaught() throws Exception {
        Files.createDirectories(db.getParent());
        BaselineStore sealed = new BaselineStore(db, BaselineSeal.loadOrCreate(fs.getPath("/etc/bim.key")));
        List<FileRecord> records = new java.util.ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            records.add(TestFs.record(String.format("/usr/lib/x86_64-linux-gnu/lib%05d.so", i), TestFs.sha256("l" + i)));
        }
        Baseline big = Baseline.of(T, T, records);
        sealed.save(big);
        assertTrue(Files.size(db) > 4 * SealingInputStream.LAG, "larger than the seal's window: " + Files.size(db));
        assertEquals(big, sealed.load());
        String text = Files.readString(db);
        Files.writeString(db, text.replace(TestFs.sha256("l2500"), TestFs.sha256("trojan")));
        assertThrows(SealException.class, sealed::load);
        Files.writeString(db, text.replace(TestFs.sha256("l4999"), TestFs.sha256("trojan")));
        assertThrows(SealException.class, sealed::load, "an edit in the last record, inside the window");
    }

    @Test
    void anOlderSealedCopyPutBack_isARollback_andAnEditedWatermarkIsRefused() throws Exception {
        Files.createDirectories(db.getParent());
        BaselineSeal seal = BaselineSeal.loadOrCreate(fs.getPath("/etc/bim.key"));
        BaselineStore sealed = new BaselineStore(db, seal);
        Baseline first = sample();
        sealed.save(first);
        byte[] old = Files.readAllBytes(db);
        Baseline accepted = new Baseline(Baseline.VERSION, first.created(), T.plusSeconds(60), first.files());
        sealed.save(accepted);
        assertEquals(accepted.updated(), sealed.load().updated());

        // The old copy's seal is genuine; only the watermark says it is stale.
        Files.write(db, old);
        SealException e = assertThrows(SealException.class, sealed::load);
        assertTrue(e.getMessage().contains("ROLLED BACK") && e.getMessage().contains(T.plusSeconds(60).toString()),
                e.getMessage());

        // Lowering the watermark needs the key: an edited one is itself refused.
        Path w = sealed.watermarkPath();
        String text = Files.readString(w);
        Files.writeString(w, text.replace(T.plusSeconds(60).toString(), T.toString()));
        SealException edited = assertThrows(SealException.class, sealed::load);
        assertTrue(edited.getMessage().contains("watermark does not verify"), edited.getMessage());

        // A newer accepted baseline moves it on; saving again after the rollback is accepted again.
        Files.writeString(w, text);
        Baseline later = new Baseline(Baseline.VERSION, first.created(), T.plusSeconds(120), first.files());
        sealed.save(later);
        assertEquals(later.updated(), sealed.load().updated());
        assertTrue(Files.readString(w).startsWith(T.plusSeconds(120).toString() + " hmac-sha256:"), Files.readString(w));
    }

    @Test
    void aLoadWhileAWriterReplacesTheBaseline_isNeverTakenForARollback() throws Exception {
        Files.createDirectories(db.getParent());
        BaselineSeal seal = BaselineSeal.loadOrCreate(fs.getPath("/etc/bim.key"));
        BaselineStore sealed = new BaselineStore(db, seal);
        List<FileRecord> records = new java.util.ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            records.add(TestFs.record("/usr/lib/l" + i, TestFs.sha256("l" + i)));
        }
        Baseline first = Baseline.of(T, T, records);
        sealed.save(first);
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            try {
                for (int i = 1; i <= 40; i++) {
                    sealed.save(new Baseline(Baseline.VERSION, T, T.plusSeconds(i), first.files()));
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                writing.set(false);
            }
        });
        writer.start();
        int loads = 0;
        List<String> refused = new java.util.ArrayList<>();
        while (writing.get()) {
            try {
                sealed.load();
                loads++;
            } catch (SealException e) {
                refused.add(e.getMessage());
            }
        }
        writer.join();
        assertTrue(loads > 0, "no load finished while the writer ran");
        assertEquals(List.of(), refused, "a legitimate write was taken for tampering");
        assertEquals(T.plusSeconds(40), sealed.load().updated());
    }
}
