package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.EncryptedPrivateKeyInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Ed25519-signed baseline on jimfs: keys, passphrases, and every way a signature can be wrong. */
class SignedBaselineTest {

    private static final Instant T = Instant.parse("2026-03-04T05:06:07Z");
    private static final char[] PASSPHRASE = "correct horse battery".toCharArray();
    private static final Pattern SIGNATURE = Pattern.compile(",\"signature\":\"ed25519:([0-9a-f]{32}):([0-9a-f]{128})\"");

    private final FileSystem fs = TestFs.unix();
    private final Path db = fs.getPath("/var/lib/bim/hashes.json");
    private final Path privateKey = fs.getPath("/media/usb/bim.key");
    private BaselineSeal seal;
    private VerifyingKey publicKey;

    @BeforeEach
    void keys() throws IOException {
        Files.createDirectories(db.getParent());
        seal = BaselineSeal.loadOrCreate(fs.getPath("/etc/bim.key"));
        SigningKey.generate(privateKey, PASSPHRASE.clone());
        publicKey = VerifyingKey.load(fs.getPath("/media/usb/bim.key.pub"));
    }

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    private static Baseline sample(int files) {
        List<FileRecord> records = new ArrayList<>();
        for (int i = 0; i < files; i++) {
            records.add(TestFs.record(String.format("/usr/lib/x86_64-linux-gnu/lib%05d.so", i), TestFs.sha256("l" + i)));
        }
        return Baseline.of(T, T, records);
    }

    private BaselineStore signing() throws IOException {
        return new BaselineStore(db, seal, SigningKey.load(privateKey, PASSPHRASE.clone(), publicKey));
    }

    private BaselineStore verifying() {
        return new BaselineStore(db, seal, publicKey);
    }

    @Test
    void keygen_writesAnEncryptedPrivateKey0600_andItsPublicHalf0644_andNeverReplacesEither() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(privateKey)));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(SigningKey.publicFileOf(privateKey))));
        String pem = Files.readString(privateKey);
        assertTrue(pem.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"), pem);
        EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(Pem.decode(pem.getBytes(), "ENCRYPTED PRIVATE KEY",
                privateKey));
        assertEquals("PBES2", info.getAlgName());
        assertEquals("PBEWithHmacSHA256AndAES_256", info.getAlgParameters().toString());
        assertTrue(Files.readString(SigningKey.publicFileOf(privateKey)).startsWith("-----BEGIN PUBLIC KEY-----\n"));
        byte[] before = Files.readAllBytes(privateKey);
        assertThrows(FileAlreadyExistsException.class, () -> SigningKey.generate(privateKey, PASSPHRASE.clone()));
        assertArrayEquals(before, Files.readAllBytes(privateKey), "the existing key is untouched");
        try (var files = Files.list(privateKey.getParent())) {
            assertEquals(2, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void fingerprint_isTheFirst16BytesOfTheSha256OfTheSubjectPublicKeyInfo() throws Exception {
        byte[] spki = Pem.decode(Files.readAllBytes(publicKey.file()), "PUBLIC KEY", publicKey.file());
        String expected = java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki), 0, 16);
        assertEquals(expected, publicKey.fingerprint());
    }

    @Test
    void signedBaseline_roundTrips_andCarriesTheSignatureAfterTheSeal() throws Exception {
        signing().save(sample(3));
        assertEquals(sample(3), verifying().load());
        String text = Files.readString(db);
        Matcher m = SIGNATURE.matcher(text);
        assertTrue(m.find(), text);
        assertEquals(publicKey.fingerprint(), m.group(1));
        assertTrue(text.indexOf("\"seal\":") < m.start(), "seal first, then the signature: " + text);
        assertEquals(sample(3), new BaselineStore(db, seal).load(), "with signing off the signature is not required");
    }

    @Test
    void signatureAlone_refusesAByteFlippedAnywhere() throws Exception {
        // No HMAC seal here: only the signature stands between an edit and a load.
        new BaselineStore(db, null, SigningKey.load(privateKey, PASSPHRASE.clone(), publicKey)).save(sample(3));
        BaselineStore store = new BaselineStore(db, null, publicKey);
        byte[] whole = Files.readAllBytes(db);
        assertEquals(sample(3), store.load());
        for (int i = 0; i < whole.length; i++) {
            byte[] bad = whole.clone();
            bad[i] ^= 0x01;
            Files.write(db, bad);
            try {
                store.load();
                fail("byte " + i + " ('" + (char) whole[i] + "') flipped, and the baseline still loaded");
            } catch (BaselineException expected) {
                // Refused: a parse error, or a signature that does not verify.
            }
        }
    }

    @Test
    void signatureRemovedGarbledOrByAnotherKey_isASealException() throws Exception {
        signing().save(sample(3));
        String text = Files.readString(db);
        Matcher m = SIGNATURE.matcher(text);
        assertTrue(m.find());

        Files.writeString(db, text.replace(m.group(), ""));
        assertTrue(message(verifying()).contains("is not signed, but signing_public_key"), message(verifying()));

        Files.writeString(db, text.replace(m.group(2), "0".repeat(128)));
        assertTrue(message(verifying()).contains("the signature does not match the content"), message(verifying()));

        // A first half that is no curve point at all (y >= p) does not even decode: the same verdict.
        Files.writeString(db, text.replace(m.group(2), "f".repeat(64) + m.group(2).substring(64)));
        assertTrue(message(verifying()).contains("the signature does not match the content"), message(verifying()));

        Files.writeString(db, text.replace(m.group(2), "zz"));
        assertTrue(message(verifying()).contains("not of the form"), message(verifying()));

        // Another key pair signs the same content: the seal still verifies, the signature does not.
        Path other = fs.getPath("/media/usb/other.key");
        VerifyingKey otherPub = SigningKey.generate(other, PASSPHRASE.clone());
        new BaselineStore(db, seal, SigningKey.load(other, PASSPHRASE.clone(), otherPub)).save(sample(3));
        assertTrue(message(verifying()).contains("signed by another key (" + otherPub.fingerprint() + ")"),
                message(verifying()));

        // And with the fingerprint forged to ours, the signature itself still fails.
        Files.writeString(db, Files.readString(db).replace(otherPub.fingerprint(), publicKey.fingerprint()));
        assertTrue(message(verifying()).contains("the signature does not match the content"), message(verifying()));
    }

    private static String message(BaselineStore store) {
        return assertThrows(SealException.class, store::load).getMessage();
    }

    @Test
    void unsignedBaseline_loadsWithSigningOff_andIsRefusedWithAPublicKeyConfigured() throws Exception {
        // As every build before signing wrote it: sealed, no signature field.
        new BaselineStore(db, seal).save(sample(3));
        assertFalse(Files.readString(db).contains("signature"));
        assertEquals(sample(3), new BaselineStore(db, seal).load());
        SealException e = assertThrows(SealException.class, verifying()::load);
        assertTrue(e.getMessage().contains("is not signed") && e.getMessage().contains("bim init --force --signing-key"),
                e.getMessage());
    }

    @Test
    void wrongPassphrase_isRefused() {
        IOException e = assertThrows(IOException.class,
                () -> SigningKey.load(privateKey, "correct horse battery!".toCharArray(), publicKey));
        assertTrue(e.getMessage().contains("wrong passphrase"), e.getMessage());
        assertThrows(IOException.class, () -> SigningKey.load(privateKey, "".toCharArray(), publicKey));
    }

    @Test
    void privateKeyOfAnotherPair_isRefusedBeforeAnythingIsWritten() throws Exception {
        signing().save(sample(3));
        byte[] before = Files.readAllBytes(db);
        Path other = fs.getPath("/media/usb/other.key");
        SigningKey.generate(other, PASSPHRASE.clone());
        IOException e = assertThrows(IOException.class, () -> SigningKey.load(other, PASSPHRASE.clone(), publicKey));
        assertTrue(e.getMessage().contains("is not the private half of signing_public_key")
                && e.getMessage().contains(publicKey.fingerprint()), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(db));
    }

    @Test
    void verifyingStore_cannotSave_andLeavesTheFileAlone() throws Exception {
        signing().save(sample(3));
        byte[] before = Files.readAllBytes(db);
        byte[] watermark = Files.readAllBytes(db.resolveSibling(".hashes.json.watermark"));
        IOException e = assertThrows(IOException.class, () -> verifying().save(sample(4)));
        assertTrue(e.getMessage().contains("signing needs the private key"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(db));
        assertArrayEquals(watermark, Files.readAllBytes(db.resolveSibling(".hashes.json.watermark")));
        try (var files = Files.list(db.getParent())) {
            assertEquals(List.of(db.resolveSibling(".hashes.json.watermark"), db), files.sorted().toList(),
                    "not even a temporary file");
        }
    }

    @Test
    void largeSignedBaseline_isStreamed_andAnEditFarInOrInTheLastRecordIsRefused() throws Exception {
        Baseline big = sample(5000);
        BaselineStore store = signing();
        store.save(big);
        assertTrue(Files.size(db) > 4 * SealingInputStream.LAG, "larger than the held-back window: " + Files.size(db));
        assertEquals(big, verifying().load());
        String text = Files.readString(db);
        // Signature only (no seal), so that it is the signature that catches each edit.
        new BaselineStore(db, null, SigningKey.load(privateKey, PASSPHRASE.clone(), publicKey)).save(big);
        String unsealed = Files.readString(db);
        BaselineStore signatureOnly = new BaselineStore(db, null, publicKey);
        assertEquals(big, signatureOnly.load());
        for (String victim : new String[] {"l0", "l2500", "l4999"}) {
            Files.writeString(db, unsealed.replace(TestFs.sha256(victim), TestFs.sha256("trojan")));
            assertThrows(SealException.class, signatureOnly::load, "an edit of " + victim);
        }
        Files.writeString(db, text);
        assertEquals(big, verifying().load());
    }

    @Test
    void publicKeyFile_writableByOthers_orNotAnEd25519Key_isRefused() throws Exception {
        Path pub = publicKey.file();
        Files.setPosixFilePermissions(pub, PosixFilePermissions.fromString("rw-rw-r--"));
        IOException writable = assertThrows(IOException.class, () -> VerifyingKey.load(pub));
        assertTrue(writable.getMessage().contains("writable by group or others (rw-rw-r--)"), writable.getMessage());

        Path rsa = fs.getPath("/etc/rsa.pub");
        var pair = java.security.KeyPairGenerator.getInstance("RSA").generateKeyPair();
        Files.writeString(rsa, Pem.encode(pair.getPublic().getEncoded(), "PUBLIC KEY"));
        Files.setPosixFilePermissions(rsa, PosixFilePermissions.fromString("rw-r--r--"));
        IOException notEd = assertThrows(IOException.class, () -> VerifyingKey.load(rsa));
        assertTrue(notEd.getMessage().contains("does not hold an Ed25519 public key"), notEd.getMessage());

        Files.writeString(rsa, "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n");
        assertTrue(assertThrows(IOException.class, () -> VerifyingKey.load(rsa)).getMessage().contains("base64"));
        Files.writeString(rsa, "ssh-ed25519 AAAA... not PEM");
        assertTrue(assertThrows(IOException.class, () -> VerifyingKey.load(rsa)).getMessage()
                .contains("not a PEM \"PUBLIC KEY\" file"));
    }
}
