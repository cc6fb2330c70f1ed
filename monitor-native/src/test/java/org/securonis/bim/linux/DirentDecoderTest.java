package org.securonis.bim.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirentDecoderTest {

    /** Builds one struct linux_dirent64, padded to 8 bytes as the kernel does. */
    private static byte[] record(byte[] name, int type) {
        int reclen = (19 + name.length + 1 + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(reclen).order(ByteOrder.nativeOrder());
        b.putLong(42).putLong(7).putShort((short) reclen).put((byte) type).put(name);
        return b.array();
    }

    private static ByteBuffer buffer(byte[]... records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] r : records) {
            out.writeBytes(r);
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void entries_decodeWithTypesAndWithoutDots() throws Exception {
        byte[] odd = {'x', (byte) 0xfe, '\n'};
        ByteBuffer buf = buffer(record(utf8("."), 4), record(utf8(".."), 4), record(utf8("sub"), Flags.DT_DIR),
                record(utf8("libc.so.6"), 8), record(odd, Flags.DT_UNKNOWN), record(utf8("..."), 8));
        assertEquals(List.of(new DirentDecoder.Entry(utf8("sub"), Flags.DT_DIR),
                new DirentDecoder.Entry(utf8("libc.so.6"), 8),
                new DirentDecoder.Entry(odd, Flags.DT_UNKNOWN),
                new DirentDecoder.Entry(utf8("..."), 8)), DirentDecoder.decode(buf));
    }

    @Test
    void recordLengthBeyondBuffer_isAnError() {
        byte[] r = record(utf8("name"), 8);
        ByteBuffer buf = ByteBuffer.wrap(r, 0, r.length - 1).slice();
        NativeException e = assertThrows(NativeException.class, () -> DirentDecoder.decode(buf));
        assertEquals("getdents64: bad d_reclen 24 at offset 0", e.getMessage());
    }

    @Test
    void truncatedHeader_isAnError() {
        NativeException e = assertThrows(NativeException.class, () -> DirentDecoder.decode(ByteBuffer.allocate(10)));
        assertEquals("getdents64: truncated record at offset 0", e.getMessage());
    }
}
