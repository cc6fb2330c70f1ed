package org.securonis.bim.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The public half of the baseline's Ed25519 signing key ({@code signing_public_key}, X.509 SubjectPublicKeyInfo in
 * PEM): verifies the {@code "signature"} of a baseline. What is signed is not the file (the JDK's EdDSA would hold
 * a 26 MB message in memory) but the 16 bytes "bim-baseline-v1\0" followed by the SHA-512 of exactly the bytes
 * the seal covers, computed as they stream by. Immutable.
 */
public final class VerifyingKey {

    static final String PREFIX = "ed25519:";
    /** Separates this use of the key from any other message it might ever sign. */
    private static final byte[] DOMAIN = "bim-baseline-v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern SIGNATURE = Pattern.compile("ed25519:([0-9a-f]{32}):([0-9a-f]{128})");
    static final String PEM_TYPE = "PUBLIC KEY";

    private final Path file;
    private final PublicKey key;
    private final String fingerprint;

    private VerifyingKey(Path file, PublicKey key) {
        this.file = file;
        this.key = key;
        this.fingerprint = fingerprint(key);
    }

    /** Loads a public key file, refusing a symlink, one others can write, or (as root) one root does not own. */
    public static VerifyingKey load(Path file) throws IOException {
        KeyFiles.check(file, "signing_public_key", false);
        byte[] der = Pem.decode(KeyFiles.read(file, "signing_public_key"), PEM_TYPE, file);
        try {
            return new VerifyingKey(file, KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(file + " does not hold an Ed25519 public key (" + e.getMessage() + ")");
        }
    }

    static VerifyingKey of(Path file, PublicKey key) {
        return new VerifyingKey(file, key);
    }

    /** The file it was loaded from (or written to). */
    public Path file() {
        return file;
    }

    /**
     * The first 16 bytes of the SHA-256 of the key's SubjectPublicKeyInfo, in hex: what {@code keygen} prints and
     * {@code verify-db} names ({@code openssl pkey -pubin -in FILE -outform DER | sha256sum | cut -c1-32}).
     */
    public String fingerprint() {
        return fingerprint;
    }

    /** The key as a PEM file's text. */
    String pem() {
        return Pem.encode(key.getEncoded(), PEM_TYPE);
    }

    PublicKey publicKey() {
        return key;
    }

    /** A fresh SHA-512, to be fed the covered bytes as they stream by. */
    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-512", e);
        }
    }

    /** What is signed for the content whose SHA-512 is {@code digest}: the domain, then the digest. */
    static byte[] message(byte[] digest) {
        byte[] m = Arrays.copyOf(DOMAIN, DOMAIN.length + digest.length);
        System.arraycopy(digest, 0, m, DOMAIN.length, digest.length);
        return m;
    }

    /** The {@code "signature"} field's text for a raw signature by this key's private half. */
    String text(byte[] signature) {
        return PREFIX + fingerprint + ":" + HexFormat.of().formatHex(signature);
    }

    /**
     * Why {@code text} is not this key's signature of the content with SHA-512 {@code digest}, or null when it is.
     */
    String refusal(byte[] digest, String text) {
        Matcher m = SIGNATURE.matcher(text);
        if (!m.matches()) {
            return "the signature is not of the form ed25519:<fingerprint>:<128 hex digits>";
        }
        // The fingerprint in the file is not trusted (anyone can write one); it only makes the message precise.
        if (!m.group(1).equals(fingerprint)) {
            return "it is signed by another key (" + m.group(1) + "), not by signing_public_key " + file + " ("
                    + fingerprint + ")";
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(message(digest));
            if (s.verify(HexFormat.of().parseHex(m.group(2)))) {
                return null;
            }
        } catch (GeneralSecurityException e) {
            // A garbled signature may not even decode (its first half is a curve point): the same verdict.
        }
        return "the signature does not match the content";
    }

    private static String fingerprint(PublicKey key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(h, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
