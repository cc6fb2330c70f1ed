package org.securonis.bim.core;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;

/**
 * File names as text, exactly: a name is bytes to the kernel, and a name that is not valid UTF-8 is carried with
 * each undecodable byte 0xNN as U+DCNN ("surrogateescape"), so two different names never share one text and the
 * text leads back to the same bytes. Also escapes names for human-readable output and text logs, so that a name
 * holding a newline or a terminal escape cannot forge a line or repaint a terminal (JSON carries them exactly).
 *
 * <p>The JDK decodes a name it cannot decode lossily (U+FFFD) in {@link Path#toString()}, but its paths keep the
 * kernel's bytes, and {@link Path#toUri()} shows them percent-encoded: {@link #of(Path)} reads them from there, and
 * {@link #path} builds a path from exact bytes through a {@code file:} URI. No native code is needed for that.
 */
public final class Names {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Names() {
    }

    /** The exact text of {@code p} (see the class comment); its plain text when the JDK decoded it losslessly. */
    public static String of(Path p) {
        String s = p.toString();
        if (s.indexOf('\uFFFD') < 0 || p.getFileSystem() != FileSystems.getDefault()) {
            return s;
        }
        return fromBytes(rawBytes(p));
    }

    /** The path named by exact text {@code name} (as {@link #of} gives it) on {@code fs}. */
    public static Path path(FileSystem fs, String name) {
        if (fs != FileSystems.getDefault() || ascii(name)) {
            return fs.getPath(name);
        }
        // Any other text goes as bytes: that also serves a JVM whose locale cannot encode the name.
        boolean absolute = name.startsWith("/");
        byte[] bytes = toBytes(absolute ? name : "/" + name);
        StringBuilder uri = new StringBuilder(bytes.length * 2 + 8).append("file://");
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "/-._~".indexOf(c) >= 0)) {
                uri.append((char) c);
            } else {
                uri.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        Path p = Path.of(URI.create(uri.toString()));
        return absolute ? p : fs.getPath("/").relativize(p);
    }

    /** Decodes name bytes as UTF-8, each byte of a malformed sequence becoming U+DC00 + the byte. */
    public static String fromBytes(byte[] bytes) {
        if (ascii(bytes)) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        while (true) {
            CoderResult r = d.decode(in, out, true);
            if (r.isUnderflow()) {
                d.flush(out);
                break;
            }
            // Malformed or unmappable: escape those bytes one by one and go on after them.
            for (int i = 0; i < r.length(); i++) {
                out.put((char) (0xDC00 | (in.get() & 0xff)));
            }
        }
        return out.flip().toString();
    }

    /** {@link #toBytes} of {@code name} and a terminating NUL: a path as the C calls take it. */
    public static byte[] toCString(String name) {
        byte[] b = toBytes(name);
        return java.util.Arrays.copyOf(b, b.length + 1);
    }

    /** The bytes {@code name} stands for: UTF-8, with U+DC80..U+DCFF back to the single bytes they escape. */
    public static byte[] toBytes(String name) {
        if (ascii(name)) {
            return name.getBytes(StandardCharsets.US_ASCII);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(name.length() + 16);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 0xDC80 && c <= 0xDCFF) {
                out.write(c & 0xff);
            } else if (Character.isHighSurrogate(c) && i + 1 < name.length()
                    && Character.isLowSurrogate(name.charAt(i + 1))) {
                out.writeBytes(name.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
                i++;
            } else {
                // A lone surrogate that no name decodes to becomes '?', as the JDK's encoder would write it.
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    private static boolean ascii(byte[] b) {
        for (byte x : b) {
            if (x < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    // The kernel's bytes of p, read back from its file: URI (which the JDK builds from those bytes).
    private static byte[] rawBytes(Path p) {
        boolean absolute = p.isAbsolute();
        String raw = (absolute ? p : p.getFileSystem().getPath("/").resolve(p)).toUri().getRawPath();
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        // toUri adds a '/' after a directory's name: names never end in one (the root aside).
        int end = raw.length() > 1 && raw.endsWith("/") ? raw.length() - 1 : raw.length();
        for (int i = absolute ? 0 : 1; i < end; i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < end) {
                out.write(Integer.parseInt(raw, i + 1, i + 3, 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    /**
     * Reverses {@link #escape}: the exact name of text copied from our output ({@code \xff}, {@code \n},
     * {@code \\}); text without a backslash is returned as it is.
     */
    public static String unescape(String text) {
        if (text.indexOf('\\') < 0) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 == text.length()) {
                sb.append(c);
                continue;
            }
            char e = text.charAt(++i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case '\\' -> sb.append('\\');
                case 'x', 'u' -> {
                    int digits = e == 'x' ? 2 : 4;
                    int v = i + digits < text.length() ? hex(text, i + 1, i + 1 + digits) : -1;
                    if (v < 0) {
                        sb.append('\\').append(e);
                        continue;
                    }
                    // \xNN is an ASCII control character below 0x80, else the undecodable byte NN.
                    sb.append(e == 'x' && v >= 0x80 ? (char) (0xDC00 | v) : (char) v);
                    i += digits;
                }
                default -> sb.append('\\').append(e);
            }
        }
        return sb.toString();
    }

    private static int hex(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }

    /** The name with backslash, control characters and lone surrogates written as escapes. */
    public static String escape(String name) {
        StringBuilder sb = null;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            String esc = null;
            if (c == '\\') {
                esc = "\\\\";
            } else if (c == '\n') {
                esc = "\\n";
            } else if (c == '\t') {
                esc = "\\t";
            } else if (c == '\r') {
                esc = "\\r";
            } else if (c < 0x20 || c == 0x7f) {
                esc = String.format("\\x%02x", (int) c);
            } else if ((c > 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                // \xNN above 0x7f is reserved for undecodable bytes (below), so that unescape() can invert it.
                esc = String.format("\\u%04x", (int) c);
            } else if (Character.isSurrogate(c)) {
                boolean pair = Character.isHighSurrogate(c) && i + 1 < name.length()
                        && Character.isLowSurrogate(name.charAt(i + 1));
                if (pair) {
                    if (sb != null) {
                        sb.append(c).append(name.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
                // U+DCNN carries the undecodable byte 0xNN (surrogateescape): show the byte.
                esc = c >= 0xdc80 && c <= 0xdcff ? String.format("\\x%02x", c - 0xdc00) : String.format("\\u%04x", (int) c);
            }
            if (esc != null) {
                if (sb == null) {
                    sb = new StringBuilder(name.length() + 16).append(name, 0, i);
                }
                sb.append(esc);
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? name : sb.toString();
    }
}
