package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NamesTest {

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    @Test
    void validUtf8IsPlainText_invalidBytesBecomeSurrogateEscapes() {
        assertEquals("/usr/bin/ls", Names.fromBytes("/usr/bin/ls".getBytes(StandardCharsets.UTF_8)));
        assertEquals("/usr/bin/naïve✓😀", Names.fromBytes("/usr/bin/naïve✓😀".getBytes(StandardCharsets.UTF_8)));
        assertEquals("a\uDCFFb", Names.fromBytes(bytes('a', 0xff, 'b')));
        // A truncated sequence, an overlong encoding and an encoded surrogate: each byte escaped on its own.
        assertEquals("a\uDCC3", Names.fromBytes(bytes('a', 0xc3)));
        assertEquals("\uDCC0\uDCAF", Names.fromBytes(bytes(0xc0, 0xaf)));
        assertEquals("\uDCED\uDCB2\uDC80", Names.fromBytes(bytes(0xed, 0xb2, 0x80)));
        // U+FFFD spelled in valid UTF-8 is that character, not an escape.
        assertEquals("\uFFFD", Names.fromBytes(bytes(0xef, 0xbf, 0xbd)));
    }

    @Test
    void everyByteStringRoundTrips_andDistinctBytesNeverShareAText() {
        Random random = new Random(20261204);
        Map<String, byte[]> seen = new HashMap<>();
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[1 + random.nextInt(12)];
            for (int i = 0; i < b.length; i++) {
                // Mostly high bytes, so that valid and invalid sequences both occur often.
                b[i] = (byte) (random.nextInt(4) == 0 ? 'a' + random.nextInt(26) : 0x80 + random.nextInt(128));
            }
            String text = Names.fromBytes(b);
            assertArrayEquals(b, Names.toBytes(text), text);
            byte[] before = seen.put(text, b);
            if (before != null) {
                assertArrayEquals(before, b, "two names share the text " + Names.escape(text));
            }
            assertEquals(text, Names.unescape(Names.escape(text)), Names.escape(text));
        }
    }

    @Test
    void escapeShowsBytesAndControlsWithoutAmbiguity() {
        assertEquals("/x/a\\xffb", Names.escape("/x/a\uDCFFb"));
        assertEquals("/x/a\\u0085b", Names.escape("/x/a\u0085b"));
        assertEquals("\\x1b[2J\\n\\t\\\\", Names.escape("\u001b[2J\n\t\\"));
        assertNotEquals(Names.escape("\u0085"), Names.escape("\uDC85"));
        for (String s : new String[] {"/x/a\uDCFFb", "/x/a\u0085b", "\u001b[2J\n\t\r\\", "\\x41", "\u2028", "end\\"}) {
            assertEquals(s, Names.unescape(Names.escape(s)), s);
        }
        // Text that is not an escape stays as typed.
        assertEquals("a\\qb\\x4", Names.unescape("a\\qb\\x4"));
        assertEquals("plain", Names.unescape("plain"));
    }

    @Test
    void jsonCarriesEscapedBytesExactly() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String name = "/usr/bin/a\uDCFF\uDC80b";
        byte[] written = json.writeValueAsBytes(Map.of("path", name));
        String text = new String(written, StandardCharsets.UTF_8);
        assertTrue(text.toLowerCase().contains("\\udcff\\udc80"), text);
        assertFalse(text.contains("\uFFFD"), text);
        assertEquals(name, json.readTree(written).get("path").asText());
    }
}
