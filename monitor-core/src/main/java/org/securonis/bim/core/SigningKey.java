package org.securonis.bim.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The private half of the baseline's Ed25519 key, decrypted with its passphrase and checked against
 * {@code signing_public_key}: what accepting changes needs. The file is PKCS#8 EncryptedPrivateKeyInfo in PEM
 * ("ENCRYPTED PRIVATE KEY"), PBES2 with PBKDF2-HMAC-SHA256 ({@value #ITERATIONS} iterations, 16-byte salt) and
 * AES-256-CBC: the format of {@code openssl genpkey -aes-256-cbc}, readable by {@code openssl pkey}. Immutable.
 */
public final class SigningKey {

    /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256: about 0.2 s here, per guess, for whoever finds the file. */
    static final int ITERATIONS = 600_000;
    static final String PEM_TYPE = "ENCRYPTED PRIVATE KEY";
    private static final String PBE = "PBEWithHmacSHA256AndAES_256";
    /** A key file asking for more (a hostile one, to stall us) is refused: 30 times what we write. */
    private static final int MAX_ITERATIONS = 20_000_000;

    private final PrivateKey key;
    private final VerifyingKey verifyingKey;

    private SigningKey(PrivateKey key, VerifyingKey verifyingKey) {
        this.key = key;
        this.verifyingKey = verifyingKey;
    }

    /** Where {@link #generate} puts the public half of {@code privateFile}: beside it, with ".pub" appended. */
    public static Path publicFileOf(Path privateFile) {
        return privateFile.resolveSibling(privateFile.getFileName() + ".pub");
    }

    /**
     * Generates a key pair: {@code privateFile} encrypted with {@code passphrase} (0600) and its public half at
     * {@link #publicFileOf} (0644), each created whole; refuses when either exists (a key is never replaced).
     */
    public static VerifyingKey generate(Path privateFile, char[] passphrase) throws IOException {
        Path publicFile = publicFileOf(privateFile);
        for (Path p : new Path[] {privateFile, publicFile}) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(p + " exists: refused (a key is never replaced; move it away "
                        + "first, or choose another --out)");
            }
        }
        KeyPair pair;
        byte[] encrypted;
        try {
            pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            encrypted = encrypt(pair.getPrivate().getEncoded(), passphrase);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make or encrypt an Ed25519 key", e);
        }
        VerifyingKey pub = VerifyingKey.of(publicFile, pair.getPublic());
        KeyFiles.createWhole(privateFile, Pem.encode(encrypted, PEM_TYPE).getBytes(StandardCharsets.US_ASCII),
                "rw-------");
        try {
            KeyFiles.createWhole(publicFile, pub.pem().getBytes(StandardCharsets.US_ASCII), "rw-r--r--");
        } catch (IOException e) {
            // A private key without its public half is of no use, and the next keygen would trip over it.
            Files.deleteIfExists(privateFile);
            throw e;
        }
        return pub;
    }

    // PBKDF2 and AES-CBC as two steps: the JDK's combined PBES2 cipher takes printable ASCII passphrases only,
    // where PBKDF2 takes any text as UTF-8, as openssl does (an ASCII passphrase gives the same key either way).
    private static byte[] encrypt(byte[] pkcs8, char[] passphrase) throws GeneralSecurityException {
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[16];
        byte[] iv = new byte[16];
        random.nextBytes(salt);
        random.nextBytes(iv);
        try {
            Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
            c.init(Cipher.ENCRYPT_MODE, derive("HmacSHA256", passphrase, salt, ITERATIONS, 32), new IvParameterSpec(iv));
            byte[] ciphertext = c.doFinal(pkcs8);
            AlgorithmParameters pbe = AlgorithmParameters.getInstance(PBE);
            pbe.init(new PBEParameterSpec(salt, ITERATIONS, new IvParameterSpec(iv)));
            // JDK 17's EncryptedPrivateKeyInfo does not know the cipher's own name for these parameters: under
            // their ASN.1 name, PBES2, it encodes them as RFC 8018 says.
            AlgorithmParameters params = AlgorithmParameters.getInstance("PBES2");
            params.init(pbe.getEncoded());
            return new EncryptedPrivateKeyInfo(params, ciphertext).getEncoded();
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static SecretKeySpec derive(String prf, char[] passphrase, byte[] salt, int iterations, int bytes)
            throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, bytes * 8);
        try {
            byte[] k = SecretKeyFactory.getInstance("PBKDF2With" + prf).generateSecret(spec).getEncoded();
            try {
                return new SecretKeySpec(k, "AES");
            } finally {
                java.util.Arrays.fill(k, (byte) 0);
            }
        } finally {
            spec.clearPassword();
        }
    }

    /**
     * Decrypts the private key at {@code file} with {@code passphrase} and checks that it is the private half of
     * {@code expected}; a wrong passphrase, a damaged file or another key pair's key is refused, naming which.
     */
    public static SigningKey load(Path file, char[] passphrase, VerifyingKey expected) throws IOException {
        byte[] der;
        try {
            der = Pem.decode(KeyFiles.read(file, "the private key"), PEM_TYPE, file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file + ": no such private key file (is the key's medium mounted?)");
        }
        PrivateKey key;
        try {
            key = decrypt(der, passphrase, file);
        } catch (IOException e) {
            throw e;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(file + ": not an encrypted Ed25519 private key (" + e.getMessage() + ")");
        }
        SigningKey k = new SigningKey(key, expected);
        // The JDK cannot derive an EdDSA public key from the private one: a signature the public key accepts
        // is the proof that the two belong together.
        byte[] probe = new byte[64];
        new SecureRandom().nextBytes(probe);
        if (expected.refusal(probe, k.sign(probe)) != null) {
            throw new IOException(file + " is not the private half of signing_public_key " + expected.file() + " ("
                    + expected.fingerprint() + "): refused, nothing was written");
        }
        return k;
    }

    private static PrivateKey decrypt(byte[] der, char[] passphrase, Path file)
            throws IOException, GeneralSecurityException {
        EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
        AlgorithmParameters params = info.getAlgParameters();
        if (params == null) {
            throw new IOException(file + ": the private key's encryption has no parameters");
        }
        // For PBES2 the parameters name what they describe: "PBEWith<PRF>AndAES_<bits>".
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("PBEWith(Hmac\\w+)AndAES_(128|192|256)")
                .matcher(params.toString());
        if (!m.matches()) {
            throw new IOException(file + ": the private key is encrypted with " + params + "; expected PBES2 with "
                    + "PBKDF2 and AES-CBC (bim keygen, openssl genpkey -aes-256-cbc)");
        }
        PBEParameterSpec pbe = params.getParameterSpec(PBEParameterSpec.class);
        if (pbe.getIterationCount() > MAX_ITERATIONS || !(pbe.getParameterSpec() instanceof IvParameterSpec iv)) {
            throw new IOException(file + ": the private key's encryption asks for " + pbe.getIterationCount()
                    + " PBKDF2 iterations (at most " + MAX_ITERATIONS + " are done) or lacks its IV");
        }
        Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
        c.init(Cipher.DECRYPT_MODE, derive(m.group(1), passphrase, pbe.getSalt(), pbe.getIterationCount(),
                Integer.parseInt(m.group(2)) / 8), iv);
        java.security.spec.PKCS8EncodedKeySpec plain;
        try {
            plain = info.getKeySpec(c);
        } catch (java.security.spec.InvalidKeySpecException wrong) {
            throw new IOException(file + ": wrong passphrase (or the key file is damaged)");
        }
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(plain);
        } catch (java.security.spec.InvalidKeySpecException wrong) {
            // Padding that happens to check out under a wrong passphrase (1 in 256) decrypts to garbage.
            throw new IOException(file + ": wrong passphrase, or not an Ed25519 key");
        }
    }

    /** The public half this key was checked against. */
    public VerifyingKey verifyingKey() {
        return verifyingKey;
    }

    /** The {@code "signature"} text for the content whose SHA-512 is {@code digest}. */
    String sign(byte[] digest) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(VerifyingKey.message(digest));
            return verifyingKey.text(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot sign with Ed25519", e);
        }
    }
}
