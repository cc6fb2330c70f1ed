package org.securonis.bim.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

/** PEM text (RFC 7468) around DER, as OpenSSL writes it: what {@code openssl pkey} reads our key files with. */
final class Pem {

    private Pem() {
    }

    /** {@code der} as a PEM block of {@code type} ("PUBLIC KEY"), 64 characters a line. */
    static String encode(byte[] der, String type) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The DER inside the one PEM block of {@code type} in {@code text}; {@code file} names it in messages. */
    static byte[] decode(byte[] text, String type, Path file) throws IOException {
        String s = new String(text, StandardCharsets.US_ASCII).strip();
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        if (!s.startsWith(begin) || !s.endsWith(end) || s.length() < begin.length() + end.length()) {
            throw new IOException(file + " is not a PEM \"" + type + "\" file (expected " + begin + " ... " + end + ")");
        }
        try {
            return Base64.getDecoder().decode(s.substring(begin.length(), s.length() - end.length()).replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": the PEM \"" + type + "\" block is not valid base64");
        }
    }
}
