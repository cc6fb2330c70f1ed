package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Malformed, truncated, mutated, deeply nested and wrongly typed configuration and baseline files from a seeded
 * generator: each is refused with a message naming the file, never a crash, never an empty baseline taken as truth.
 */
class HostileInputTest {

    private static final long SEED = Long.getLong("bim.fuzz.seed", 20261204L);
    private static final int ROUNDS = Integer.getInteger("bim.fuzz.rounds", 400);
    private final FileSystem fs = TestFs.unix();

    @AfterEach
    void close() throws Exception {
        fs.close();
    }

    private static byte[] mutate(byte[] in, Random r) {
        byte[] b = in.clone();
        switch (r.nextInt(5)) {
            case 0 -> {
                return java.util.Arrays.copyOf(b, r.nextInt(Math.max(1, b.length)));
            }
            case 1 -> {
                for (int i = 0, n = 1 + r.nextInt(8); i < n; i++) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
                return b;
            }
            case 2 -> {
                int at = r.nextInt(b.length);
                String junk = new String[] {"[", "]", "{", "}", "\"", "=", ",", "\n", "\\", "[[x]]", "1e999", "\u0000",
                        "\"\\ud800\"", "-9223372036854775809"}[r.nextInt(14)];
                byte[] j = junk.getBytes(StandardCharsets.UTF_8);
                byte[] out = new byte[b.length + j.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(j, 0, out, at, j.length);
                System.arraycopy(b, at, out, at + j.length, b.length - at);
                return out;
            }
            case 3 -> {
                int from = r.nextInt(b.length);
                int to = Math.min(b.length, from + 1 + r.nextInt(64));
                byte[] out = new byte[b.length - (to - from)];
                System.arraycopy(b, 0, out, 0, from);
                System.arraycopy(b, to, out, from, b.length - to);
                return out;
            }
            default -> {
                byte[] out = new byte[r.nextInt(512)];
                r.nextBytes(out);
                return out;
            }
        }
    }

    @Test
    void mutatedConfigurations_areRefusedWithTheFileNamed_orLoad() throws Exception {
        Path good = fs.getPath("/etc/bim.toml");
        Files.createDirectories(good.getParent());
        byte[] shipped = ("[monitor]\ninterval = 60\ndatabase_path = \"/var/lib/b/h.json\"\nmax_workers = 2\n"
                + "[binaries]\ncritical_binaries = [\"/usr/bin/su\"]\nsystem_binaries = [\"/usr/bin/*\"]\n"
                + "[lockdown]\nenable_lockdown = true\nadmin_email = \"root\"\n[response]\nincident_window = 2\n"
                + "critical = [\"quarantine\", \"lockdown\"]\n").getBytes(StandardCharsets.UTF_8);
        Random r = new Random(SEED);
        for (int i = 0; i < ROUNDS; i++) {
            byte[] bad = mutate(shipped, r);
            Files.write(good, bad);
            try {
                ConfigLoader.load(good);
            } catch (ConfigException e) {
                assertFalse(e.problems().isEmpty());
                for (String p : e.problems()) {
                    assertTrue(p.startsWith(good.toString()), "seed " + SEED + " round " + i + ": " + p);
                }
            } catch (RuntimeException e) {
                fail("seed " + SEED + " round " + i + ": a crash instead of a refusal: " + e + " on "
                        + new String(bad, StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void deeplyNestedAndWronglyTypedConfigurations_areRefused() throws Exception {
        Path p = fs.getPath("/etc/nested.toml");
        Files.createDirectories(p.getParent());
        Files.writeString(p, "[monitor]\ninterval = " + "[".repeat(10_000) + "]".repeat(10_000) + "\n");
        assertRefusedOrCrashFree(p);
        Files.writeString(p, "[monitor]\ninterval = {a = {b = {c = 1}}}\n[binaries]\nexclude = [[1], {x = 2}]\n");
        assertRefusedOrCrashFree(p);
        Files.writeString(p, "[" + "a.".repeat(5000) + "b]\n");
        assertRefusedOrCrashFree(p);
    }

    private static void assertRefusedOrCrashFree(Path p) {
        try {
            ConfigLoader.load(p);
            fail("accepted " + p);
        } catch (ConfigException e) {
            assertTrue(e.problems().get(0).startsWith(p.toString()), e.problems().get(0));
        } catch (RuntimeException | StackOverflowError e) {
            fail("a crash instead of a refusal: " + e);
        }
    }

    @Test
    void mutatedBaselines_areRefusedOrLoadWhole_neverEmptyAndNeverACrash() throws Exception {
        Path db = fs.getPath("/var/lib/bim/hashes.json");
        Files.createDirectories(db.getParent());
        BaselineSeal seal = BaselineSeal.loadOrCreate(fs.getPath("/etc/bim.key"));
        BaselineStore store = new BaselineStore(db, seal);
        java.util.List<FileRecord> records = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            records.add(TestFs.record("/usr/bin/f" + i, TestFs.sha256("f" + i)));
        }
        Baseline original = Baseline.of(java.time.Instant.EPOCH, java.time.Instant.EPOCH, records);
        store.save(original);
        byte[] whole = Files.readAllBytes(db);
        Random r = new Random(SEED);
        for (int i = 0; i < ROUNDS; i++) {
            byte[] bad = mutate(whole, r);
            Files.write(db, bad);
            try {
                Baseline b = store.load();
                // Only an unchanged file verifies under the seal.
                assertTrue(java.util.Arrays.equals(bad, whole), "seed " + SEED + " round " + i + " loaded a mutation");
                assertTrue(b.equals(original));
            } catch (BaselineException e) {
                assertTrue(e.getMessage().startsWith(db.toString()), "seed " + SEED + " round " + i + ": " + e.getMessage());
            } catch (RuntimeException | StackOverflowError e) {
                fail("seed " + SEED + " round " + i + ": a crash instead of a refusal: " + e);
            }
        }
    }

    @Test
    void hugeBaselines_100MB_ofJunkOrOfRecordsWithABadSeal_areRefusedNamingTheFile() throws Exception {
        Path db = fs.getPath("/var/lib/bim/hashes.json");
        Files.createDirectories(db.getParent());
        BaselineStore store = new BaselineStore(db, BaselineSeal.loadOrCreate(fs.getPath("/etc/bim.key")));
        // Well-formed records (as the store writes one), 100 MB of them, under a seal that does not match.
        store.save(Baseline.of(java.time.Instant.EPOCH, java.time.Instant.EPOCH,
                java.util.List.of(TestFs.record("/usr/bin/f", TestFs.sha256("f")))));
        String one = Files.readString(db);
        String head = one.substring(0, one.indexOf("\"files\":[") + 9);
        String rec = one.substring(head.length(), one.indexOf("}", head.length()) + 1);
        try (java.io.Writer w = Files.newBufferedWriter(db)) {
            w.write(head);
            long written = 0;
            for (int i = 0; written < 100_000_000L; i++) {
                String r = (i == 0 ? "" : ",") + rec.replace("/usr/bin/f\"", "/usr/bin/f" + i + "\"");
                w.write(r);
                written += r.length();
            }
            w.write("],\"seal\":\"hmac-sha256:" + "0".repeat(64) + "\"}");
        }
        assertTrue(Files.size(db) > 100_000_000L);
        SealException sealed = org.junit.jupiter.api.Assertions.assertThrows(SealException.class, store::load);
        assertTrue(sealed.getMessage().contains(db.toString()), sealed.getMessage());
        // 100 MB of one unterminated string, and of deep nesting: refused, never a crash.
        for (String junk : new String[] {"{\"format\":\"", "[".repeat(1)}) {
            try (java.io.OutputStream out = Files.newOutputStream(db)) {
                out.write(junk.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                byte[] fill = (junk.startsWith("[") ? "[" : "a").repeat(1 << 20).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                for (int i = 0; i < 100; i++) {
                    out.write(fill);
                }
            }
            BaselineException e = org.junit.jupiter.api.Assertions.assertThrows(BaselineException.class, store::load);
            assertTrue(e.getMessage().startsWith(db.toString()), e.getMessage());
        }
    }
}
