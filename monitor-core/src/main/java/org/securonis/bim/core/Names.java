package org.securonis.bim.core;

/**
 * Escapes file names for human-readable output and text logs, so that a name holding a newline or a terminal
 * escape cannot forge a line or repaint a terminal. JSON output carries names exactly instead.
 */
public final class Names {

    private Names() {
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
            } else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                esc = String.format("\\x%02x", (int) c);
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
