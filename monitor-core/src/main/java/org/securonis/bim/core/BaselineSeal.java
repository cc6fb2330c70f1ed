package org.securonis.bim.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The baseline's seal: HMAC-SHA256 over the baseline file's content, keyed by a root-only key file
 * ({@code key_path}, 32 random bytes as hex, created by {@code init}). It makes an edit of the baseline evident to
 * whoever holds the key; it does not stop a root attacker who also reads the key or replaces the monitor.
 */
public final class BaselineSeal {

    static final String PREFIX = "hmac-sha256:";
    private final Path keyFile;
    private final byte[] key;

    private BaselineSeal(Path keyFile, byte[] key) {
        this.keyFile = keyFile;
        this.key = key;
    }

    public Path keyFile() {
        return keyFile;
    }

    /** Loads the key, refusing a key file that others could read or (as root) that root does not own. */
    public static BaselineSeal load(Path keyFile) throws IOException {
        KeyFiles.check(keyFile, "key_path", true);
        String text = new String(KeyFiles.read(keyFile, "key_path"), StandardCharsets.US_ASCII).strip();
        if (!text.matches("[0-9a-f]{64}")) {
            throw new IOException("key_path " + keyFile + " does not hold a key (expected 64 hex digits)");
        }
        return new BaselineSeal(keyFile, HexFormat.of().parseHex(text));
    }

    /** The key at {@code keyFile}, created (0600, 32 random bytes) when there is none yet. */
    public static BaselineSeal loadOrCreate(Path keyFile) throws IOException {
        try {
            return load(keyFile);
        } catch (NoSuchFileException e) {
            byte[] k = new byte[32];
            new SecureRandom().nextBytes(k);
            try {
                KeyFiles.createWhole(keyFile, (HexFormat.of().formatHex(k) + "\n").getBytes(StandardCharsets.US_ASCII),
                        "rw-------");
            } catch (FileAlreadyExistsException race) {
                // Another init created it meanwhile: theirs is the key.
            }
            return load(keyFile);
        }
    }

    /** A fresh MAC keyed for sealing, to be fed as the content streams by. */
    Mac mac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
    }

    /** The seal of a short text (the baseline's watermark), as "hmac-sha256:" and hex. */
    String tag(String text) {
        return PREFIX + HexFormat.of().formatHex(mac().doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether a finished MAC equals {@code seal} (compared in constant time). */
    static boolean equal(byte[] mac, String seal) {
        return MessageDigest.isEqual((PREFIX + HexFormat.of().formatHex(mac)).getBytes(StandardCharsets.US_ASCII),
                seal.getBytes(StandardCharsets.US_ASCII));
    }
}
