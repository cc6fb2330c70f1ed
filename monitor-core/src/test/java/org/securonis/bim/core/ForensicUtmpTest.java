package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForensicUtmpTest {

    /** One 384-byte struct utmp, laid out by hand from the offsets in bits/utmp.h (x86_64). */
    static byte[] record(int type, int pid, String line, String id, String user, String host, int sec) {
        ByteBuffer b = ByteBuffer.allocate(384).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) type);
        b.putInt(4, pid);
        b.put(8, line.getBytes(StandardCharsets.UTF_8));
        b.put(40, id.getBytes(StandardCharsets.UTF_8));
        b.put(44, user.getBytes(StandardCharsets.UTF_8));
        b.put(76, host.getBytes(StandardCharsets.UTF_8));
        b.putInt(340, sec);
        return b.array();
    }

    static byte[] utmp(byte[]... records) {
        ByteBuffer b = ByteBuffer.allocate(records.length * 384);
        for (byte[] r : records) {
            b.put(r);
        }
        return b.array();
    }

    @Test
    void parse_keepsUserProcessRecordsOnly() {
        byte[] file = utmp(record(2, 0, "~", "~~", "reboot", "6.1.0", 1_700_000_000),
                record(7, 812, "pts/1", "ts/1", "bob", "192.0.2.7", 1_767_225_600),
                record(6, 500, "tty1", "tty1", "LOGIN", "", 1_700_000_000));
        List<String> errors = new ArrayList<>();
        assertEquals(List.of(new ForensicUtmp.Login("bob", "pts/1", "192.0.2.7", 812, "ts/1",
                Instant.parse("2026-01-01T00:00:00Z"))), ForensicUtmp.parse(file, errors));
        assertEquals(List.of(), errors);
    }

    @Test
    void parse_fieldsFillingTheirArray_andATrailingPartialRecord() {
        String user = "u".repeat(32);
        byte[] whole = record(7, 1, "pts/2", "abcd", user, "h".repeat(256), 0);
        byte[] file = new byte[384 + 100];
        System.arraycopy(whole, 0, file, 0, 384);
        List<String> errors = new ArrayList<>();
        List<ForensicUtmp.Login> got = ForensicUtmp.parse(file, errors);
        assertEquals(user, got.get(0).user(), "a 32-byte name without NUL ends at its array");
        assertEquals("abcd", got.get(0).id());
        assertEquals(256, got.get(0).host().length());
        assertEquals(List.of("users: utmp ends with a partial record (100 of 384 bytes), ignored"), errors);
    }

    @Test
    void parse_undecodableBytesSurviveAsSurrogateEscapes() {
        byte[] r = record(7, 1, "pts/3", "", "x", "", 0);
        r[45] = (byte) 0xff;
        assertEquals("x\udcff", ForensicUtmp.parse(r, new ArrayList<>()).get(0).user());
    }
}
