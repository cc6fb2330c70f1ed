package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.securonis.bim.core.Action;
import org.securonis.bim.core.BaselineSeal;
import org.securonis.bim.core.BaselineStore;
import org.securonis.bim.core.FileRecord;
import org.securonis.bim.core.FileType;
import org.securonis.bim.core.Finding;
import org.securonis.bim.core.Quarantine;
import org.securonis.bim.core.Source;
import org.securonis.bim.core.Tier;

/** Signed baselines end to end: keygen, init, check, update, maintenance, release, verify-db, daemon; on tmpfs. */
class SignedBaselineCliTest {

    private static final String PASSPHRASE = "a long passphrase for the USB key";

    private Tmpfs tmp;
    private Path bin;
    private Path config;
    private Path db;
    private Path key;
    private Path passFile;
    private Path dpkgInfo;
    private Fakes fakes;
    private Bim.Result last;

    @BeforeEach
    void tree() throws Exception {
        tmp = Tmpfs.create("signed");
        bin = Files.createDirectories(tmp.root.resolve("usr/bin"));
        for (String name : new String[] {"su", "ls", "cat"}) {
            Files.writeString(bin.resolve(name), name + " binary content");
        }
        Path usb = Files.createDirectories(tmp.root.resolve("media/usb"));
        key = usb.resolve("bim.key");
        passFile = usb.resolve("passphrase");
        Files.writeString(passFile, PASSPHRASE + "\n");
        dpkgInfo = Files.createDirectories(tmp.root.resolve("dpkg/info"));
        db = tmp.root.resolve("state/hashes.json");
        fakes = Fakes.in(tmp.root.resolve("fakes"));
        config = tmp.root.resolve("bim.toml");
        writeConfig(key + ".pub");
    }

    private void writeConfig(String signingPublicKey) throws Exception {
        Files.writeString(config, fakes.monitorSection(tmp.root) + """
                max_workers = 2
                signing_public_key = "%2$s"
                [binaries]
                critical_binaries = ["%1$s/usr/bin/su"]
                system_binaries = ["%1$s/usr/bin/*"]
                include_libraries = false
                [lockdown]
                enable_lockdown = false
                [maintenance]
                dpkg_info_dir = "%1$s/dpkg/info"
                [response]
                """.formatted(tmp.root, signingPublicKey) + fakes.sendmailLine());
    }

    @AfterEach
    void cleanup() throws Exception {
        tmp.close();
    }

    private int bim(String... args) {
        return bim(Map.of(), args);
    }

    private int bim(Map<String, String> env, String... args) {
        last = Bim.run(env, config, args);
        return last.code();
    }

    /** Makes the key pair through `bim keygen` and returns the fingerprint it printed. */
    private String keygen(Path out) {
        assertEquals(0, bim("keygen", "--out", out.toString(), "--passphrase-file", passFile.toString()), last.err());
        Matcher m = Pattern.compile("fingerprint ([0-9a-f]{32})").matcher(last.out());
        assertTrue(m.find(), last.out());
        return m.group(1);
    }

    private String signedInit() {
        String fp = keygen(key);
        assertEquals(0, bim("init", "--signing-key", key.toString(), "--passphrase-file", passFile.toString()),
                last.err());
        return fp;
    }

    @Test
    void keygen_writesTheKeyPair_withThePassphraseFromAFileOrTheEnvironment_neverFromTheCommandLine() throws Exception {
        String fp = keygen(key);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(key + ".pub"))));
        assertTrue(Files.readString(key).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        assertTrue(last.out().contains("signing_public_key = \"/etc/binary_integrity_monitor.pub\""), last.out());
        byte[] before = Files.readAllBytes(key);

        assertEquals(15, bim("keygen", "--out", key.toString(), "--passphrase-file", passFile.toString()));
        assertTrue(last.err().contains("exists: refused"), last.err());
        assertArrayEquals(before, Files.readAllBytes(key), "an existing key is never replaced");

        Path fromEnv = tmp.root.resolve("media/usb/env.key");
        assertEquals(0, bim(Map.of(Passphrase.ENV, PASSPHRASE), "keygen", "--out", fromEnv.toString()), last.err());
        assertTrue(Files.exists(Path.of(fromEnv + ".pub")));

        Path none = tmp.root.resolve("media/usb/none.key");
        assertEquals(15, bim("keygen", "--out", none.toString()));
        assertTrue(last.err().contains("no passphrase") && last.err().contains("--passphrase-file"), last.err());
        assertEquals(15, bim("keygen", "--out", none.toString(), "--passphrase=hunter2secret"));
        assertFalse(last.err().contains("hunter2secret"), "the passphrase is not echoed: " + last.err());
        assertTrue(last.err().contains("never taken from the command line"), last.err());
        Files.writeString(tmp.root.resolve("short"), "short\n");
        assertEquals(15, bim("keygen", "--out", none.toString(), "--passphrase-file", tmp.root.resolve("short").toString()));
        assertFalse(Files.exists(none), "nothing written for a refused keygen");

        if (Files.isExecutable(Path.of("/usr/bin/openssl"))) {
            // The private key is standard PKCS#8: openssl decrypts it and derives the same public key.
            Process p = new ProcessBuilder("/usr/bin/openssl", "pkey", "-in", key.toString(), "-passin",
                    "file:" + passFile, "-pubout").redirectErrorStream(true).start();
            String pub = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), pub);
            assertEquals(Files.readString(Path.of(key + ".pub")), pub);
        }
        assertEquals(32, fp.length());
    }

    @Test
    void aPassphraseThatIsNotAscii_works_andMeansWhatItMeansToOpenssl() throws Exception {
        // The JDK's combined PBES2 cipher refuses anything but printable ASCII; PBKDF2 takes UTF-8, as openssl.
        String passphrase = "Grüße, 密码 \u00a0tab\there";
        Path pass = Files.write(tmp.root.resolve("media/usb/utf8-pass"),
                (passphrase + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path ours = tmp.root.resolve("media/usb/utf8.key");
        assertEquals(0, bim("keygen", "--out", ours.toString(), "--passphrase-file", pass.toString()), last.err());
        writeConfig(ours + ".pub");
        assertEquals(0, bim("init", "--signing-key", ours.toString(), "--passphrase-file", pass.toString()),
                last.err());
        assertEquals(0, bim("verify-db"), last.err());
        Path wrong = Files.writeString(tmp.root.resolve("media/usb/ascii-pass"), "Grusse, mima tab here\n");
        assertEquals(15, bim("update", "--signing-key", ours.toString(), "--passphrase-file", wrong.toString()));
        assertTrue(last.err().contains("wrong passphrase"), last.err());
        if (Files.isExecutable(Path.of("/usr/bin/openssl"))) {
            Process p = new ProcessBuilder("/usr/bin/openssl", "pkey", "-in", ours.toString(), "-passin",
                    "file:" + pass, "-pubout").redirectErrorStream(true).start();
            String pub = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), pub);
            assertEquals(Files.readString(Path.of(ours + ".pub")), pub);
            // And a key openssl made with that passphrase signs for us.
            Path theirs = tmp.root.resolve("media/usb/openssl.key");
            Process g = new ProcessBuilder("/usr/bin/openssl", "genpkey", "-algorithm", "ed25519", "-aes-256-cbc",
                    "-pass", "file:" + pass, "-out", theirs.toString()).redirectErrorStream(true).start();
            String gout = new String(g.getInputStream().readAllBytes());
            assertEquals(0, g.waitFor(), gout);
            Process pp = new ProcessBuilder("/usr/bin/openssl", "pkey", "-in", theirs.toString(), "-passin",
                    "file:" + pass, "-pubout", "-out", theirs + ".pub").redirectErrorStream(true).start();
            String ppout = new String(pp.getInputStream().readAllBytes());
            assertEquals(0, pp.waitFor(), ppout);
            writeConfig(theirs + ".pub");
            assertEquals(0, bim("init", "--force", "--signing-key", theirs.toString(), "--passphrase-file",
                    pass.toString()), last.err());
            assertEquals(0, bim("verify-db"), last.err());
        }
    }

    @Test
    void signedBaseline_initNeedsTheKey_checkVerifies_updateWithoutTheKeyChangesNothing() throws Exception {
        keygen(key);
        assertEquals(15, bim("init"));
        assertTrue(last.err().contains("accepting changes needs the private key") && last.err().contains("--signing-key"),
                last.err());
        assertFalse(Files.exists(db), "no baseline recorded");
        assertFalse(Files.exists(tmp.root.resolve("state/bim.key")), "not even the seal key");

        String fp = keygen(tmp.root.resolve("media/usb/bim2.key"));
        assertEquals(0, bim("init", "--signing-key", key.toString(), "--passphrase-file", passFile.toString()),
                last.err());
        String ours = Files.readString(Path.of(key + ".pub"));
        assertFalse(ours.equals(Files.readString(tmp.root.resolve("media/usb/bim2.key.pub"))));
        assertFalse(last.out().contains(fp), "signed by our key, not the second one: " + last.out());
        assertEquals(0, bim("check"), last.err() + last.out());
        assertEquals(0, bim("verify-db"), last.err());
        assertTrue(last.out().contains("signed by ed25519 key "), last.out());
        assertEquals(0, bim("status"));
        assertTrue(last.out().contains("signature:  verified, ed25519 key "), last.out());

        Files.writeString(bin.resolve("ls"), "ls version 2");
        byte[] before = Files.readAllBytes(db);
        assertEquals(15, bim("update"));
        assertTrue(last.err().contains("needs the private key"), last.err());
        assertArrayEquals(before, Files.readAllBytes(db), "update without the key leaves the baseline alone");

        Files.writeString(tmp.root.resolve("wrong"), "not the passphrase\n");
        assertEquals(15, bim("update", "--signing-key", key.toString(), "--passphrase-file",
                tmp.root.resolve("wrong").toString()));
        assertTrue(last.err().contains("wrong passphrase"), last.err());
        assertArrayEquals(before, Files.readAllBytes(db));

        assertEquals(15, bim("update", "--signing-key", tmp.root.resolve("media/usb/bim2.key").toString(),
                "--passphrase-file", passFile.toString()));
        assertTrue(last.err().contains("is not the private half of signing_public_key"), last.err());
        assertArrayEquals(before, Files.readAllBytes(db));
        assertEquals(4, bim("check"), "the change is still outstanding");

        assertEquals(0, bim(Map.of(Passphrase.ENV, PASSPHRASE), "update", "--signing-key", key.toString()), last.err());
        assertTrue(last.out().contains("accepted 1 change"), last.out());
        assertEquals(0, bim("check"), last.out());
        assertEquals(0, bim("verify-db"));
    }

    @Test
    void tamperedOrStrippedSignature_isBaselineTampered_exit18_andNeverOverwritten() throws Exception {
        signedInit();
        String good = Files.readString(db);
        Matcher m = Pattern.compile("\"signature\":\"ed25519:[0-9a-f]{32}:([0-9a-f]{128})\"").matcher(good);
        assertTrue(m.find(), good);
        String sig = m.group(1);
        String garbled = good.replace(sig, (sig.charAt(0) == '0' ? "1" : "0") + sig.substring(1));
        Files.writeString(db, garbled);
        assertEquals(18, bim("verify-db"));
        assertTrue(last.err().contains("BASELINE TAMPERED") && last.err().contains("does not match the content"),
                last.err());
        assertEquals(18, bim("check"));
        assertEquals(18, bim("update", "--signing-key", key.toString(), "--passphrase-file", passFile.toString()));
        assertEquals(garbled, Files.readString(db), "the bad file is evidence: never overwritten");

        // An intruder holding the HMAC key: sealed correctly, a trojan blessed, but no signature to go with it.
        Files.writeString(db, good);
        Files.writeString(bin.resolve("su"), "trojan");
        BaselineStore sealedOnly = new BaselineStore(db, BaselineSeal.load(tmp.root.resolve("state/bim.key")));
        var blessed = sealedOnly.load();
        FileRecord su = blessed.get(bin.resolve("su").toString());
        String trojanSha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest("trojan".getBytes()));
        sealedOnly.save(blessed.with(Map.of(su.path(), new FileRecord(su.path(), su.type(), trojanSha, 6, su.mode(),
                su.uid(), su.gid(), su.inode(), su.device(), su.nlink(), su.mtime(), su.ctime(), null, su.tier(),
                su.checked())), Instant.now()));
        assertEquals(18, bim("verify-db"));
        assertTrue(last.err().contains("is not signed"), last.err());
        assertEquals(18, bim("check"));
    }

    @Test
    void daemon_withSigningOn_refusesToRecordAFirstBaseline() throws Exception {
        keygen(key);
        assertEquals(18, bim("daemon", "--dry-run"));
        assertTrue(last.err().contains("the daemon verifies but never signs")
                && last.err().contains("bim init --signing-key"), last.err());
        assertFalse(Files.exists(db));
    }

    @Test
    void daemon_verifiesTheSignature_andAnUnsignedReplacementIsACriticalAlert() throws Exception {
        signedInit();
        Path logDir = tmp.root.resolve("state/log");
        try (DaemonProcess d = DaemonProcess.start(config, logDir, "--dry-run")) {
            assertEquals(0, d.countLog(l -> l.contains("SAFE MODE")), "a signed baseline is trusted at start-up");
            BaselineStore sealedOnly = new BaselineStore(db, BaselineSeal.load(tmp.root.resolve("state/bim.key")));
            sealedOnly.save(sealedOnly.load());
            JsonNode a = d.awaitAlert(x -> x.at("/event/action").asText().equals("baseline_tampered"), 10);
            assertEquals(db.toString(), a.at("/file/path").asText());
            assertEquals(0, d.stop());
        }
        assertTrue(Files.readString(db).indexOf("\"signature\"") < 0, "the daemon did not sign it either");
    }

    @Test
    void maintenanceEnd_withoutTheKey_acceptsNothing_andLeavesTheWindowOpen() throws Exception {
        signedInit();
        String rel = bin.resolve("ls").toString().substring(1);
        Files.writeString(dpkgInfo.resolve("coreutils.md5sums"), md5("ls from the package") + "  " + rel + "\n");
        Files.writeString(dpkgInfo.resolve("coreutils.list"), bin.resolve("ls") + "\n");
        assertEquals(0, bim("maintenance", "begin", "--reason", "apt upgrade"));
        Files.writeString(bin.resolve("ls"), "ls from the package");
        byte[] before = Files.readAllBytes(db);
        assertEquals(15, bim("maintenance", "end"));
        assertTrue(last.err().contains("bim maintenance end --signing-key FILE"), last.err());
        assertArrayEquals(before, Files.readAllBytes(db));
        assertEquals(0, bim("maintenance", "status"));
        assertTrue(last.out().contains("ACTIVE"), "the window stays open: " + last.out());

        assertEquals(0, bim("maintenance", "end", "--signing-key", key.toString(), "--passphrase-file",
                passFile.toString()), last.err());
        assertTrue(last.out().contains("1 changes accepted"), last.out());
        assertEquals(0, bim("check"));
        assertEquals(0, bim("verify-db"));
    }

    @Test
    void quarantineRelease_withoutTheKey_putsNothingBack() throws Exception {
        signedInit();
        Path ls = bin.resolve("ls");
        Files.writeString(ls, "a legitimate new ls");
        Instant t = Instant.now();
        FileRecord now = new FileRecord(ls.toString(), FileType.FILE, null, 19, 0755, 0, 0, 1, 1, 1, t, t, null,
                Tier.SYSTEM, t);
        Quarantine q = new Quarantine(tmp.root.resolve("state/quarantine"), java.time.Clock.systemUTC());
        q.prepare();
        String id = q.capture(new Finding(Action.UPDATED, ls.toString(), Tier.SYSTEM, null, now, List.of("sha256"),
                Source.EVENT, t, null), ls, "inc-1").id();
        Files.writeString(ls, "disarmed");
        byte[] before = Files.readAllBytes(db);

        assertEquals(15, bim("quarantine", "release", id));
        assertTrue(last.err().contains("needs the private key"), last.err());
        assertEquals("disarmed", Files.readString(ls), "not put back");
        assertArrayEquals(before, Files.readAllBytes(db));

        assertEquals(0, bim("quarantine", "release", id, "--signing-key", key.toString(), "--passphrase-file",
                passFile.toString()), last.err());
        assertEquals("a legitimate new ls", Files.readString(ls));
        assertEquals(0, bim("verify-db"));
        assertEquals(0, bim("check"), last.out());
    }

    @Test
    void signingKey_withSigningOff_isRefused() throws Exception {
        keygen(key);
        writeConfig("");
        assertEquals(15, bim("init", "--signing-key", key.toString(), "--passphrase-file", passFile.toString()));
        assertTrue(last.err().contains("signing is off"), last.err());
        assertEquals(0, bim("init"));
        assertEquals(0, bim("verify-db"));
        assertTrue(last.out().contains("not signed (signing is off"), last.out());
    }

    private static String md5(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(s.getBytes()));
    }
}
