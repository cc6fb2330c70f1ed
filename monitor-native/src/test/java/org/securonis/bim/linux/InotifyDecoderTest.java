package org.securonis.bim.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class InotifyDecoderTest {

    /** Builds one struct inotify_event with name[] padded by NULs to {@code len} bytes. */
    private static byte[] record(int wd, int mask, int cookie, byte[] name, int len) {
        ByteBuffer b = ByteBuffer.allocate(16 + len).order(ByteOrder.nativeOrder());
        b.putInt(wd).putInt(mask).putInt(cookie).putInt(len).put(name);
        return b.array();
    }

    private static ByteBuffer buffer(byte[]... records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] r : records) {
            out.writeBytes(r);
        }
        return ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.nativeOrder());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void emptyRead_decodesToNoEvents() throws Exception {
        assertEquals(List.of(), InotifyDecoder.decode(ByteBuffer.allocate(0)));
    }

    @Test
    void eventWithoutName_hasEmptyName() throws Exception {
        List<InotifyEvent> events = InotifyDecoder.decode(buffer(record(3, Flags.IN_DELETE_SELF, 0, new byte[0], 0)));
        assertEquals(List.of(new InotifyEvent(3, Flags.IN_DELETE_SELF, 0, new byte[0])), events);
    }

    @Test
    void severalEventsWithPaddedNames_decodeInOrder() throws Exception {
        ByteBuffer buf = buffer(
                record(1, Flags.IN_CREATE, 0, utf8("a"), 16),
                record(2, Flags.IN_MOVED_FROM | Flags.IN_ISDIR, 77, utf8("sixteen-chars-xx"), 32),
                record(1, Flags.IN_MOVED_TO | Flags.IN_ISDIR, 77, utf8("b"), 16),
                record(1, Flags.IN_CLOSE_WRITE, 0, utf8("libc.so.6"), 16));
        assertEquals(List.of(
                new InotifyEvent(1, Flags.IN_CREATE, 0, utf8("a")),
                new InotifyEvent(2, Flags.IN_MOVED_FROM | Flags.IN_ISDIR, 77, utf8("sixteen-chars-xx")),
                new InotifyEvent(1, Flags.IN_MOVED_TO | Flags.IN_ISDIR, 77, utf8("b")),
                new InotifyEvent(1, Flags.IN_CLOSE_WRITE, 0, utf8("libc.so.6"))),
                InotifyDecoder.decode(buf));
    }

    @Test
    void nameWithInvalidUtf8AndNewline_isKeptByteForByte() throws Exception {
        byte[] name = {'b', (byte) 0xff, '\n', (byte) 0xc3, 'x', (byte) 0x80};
        List<InotifyEvent> events = InotifyDecoder.decode(buffer(record(5, Flags.IN_MODIFY, 0, name, 16)));
        assertArrayEquals(name, events.get(0).name());
    }

    @Test
    void nameFillingLenWithoutNul_isKeptWhole() throws Exception {
        byte[] name = utf8("exactly-16-bytes");
        List<InotifyEvent> events = InotifyDecoder.decode(buffer(record(5, Flags.IN_ATTRIB, 0, name, 16)));
        assertArrayEquals(name, events.get(0).name());
    }

    @Test
    void overflow_hasWdMinusOneAndNoName() throws Exception {
        List<InotifyEvent> events = InotifyDecoder.decode(buffer(record(-1, Flags.IN_Q_OVERFLOW, 0, new byte[0], 0)));
        assertEquals(List.of(new InotifyEvent(-1, Flags.IN_Q_OVERFLOW, 0, new byte[0])), events);
        assertTrue(events.get(0).has(Flags.IN_Q_OVERFLOW));
    }

    @Test
    void ignoredAfterDeleteSelf_areTwoEvents() throws Exception {
        List<InotifyEvent> events = InotifyDecoder.decode(buffer(
                record(9, Flags.IN_DELETE_SELF, 0, new byte[0], 0),
                record(9, Flags.IN_IGNORED, 0, new byte[0], 0)));
        assertEquals(List.of(new InotifyEvent(9, Flags.IN_DELETE_SELF, 0, new byte[0]),
                new InotifyEvent(9, Flags.IN_IGNORED, 0, new byte[0])), events);
    }

    @Test
    void maskWithHighBitSet_isKeptAsUnsignedBits() throws Exception {
        int mask = Flags.IN_CREATE | 0x80000000;
        assertEquals(mask, InotifyDecoder.decode(buffer(record(1, mask, 0, utf8("f"), 16))).get(0).mask());
    }

    @Test
    void decodingStartsAtPositionAndLeavesItAlone() throws Exception {
        byte[] one = record(1, Flags.IN_CREATE, 0, utf8("skip"), 16);
        byte[] two = record(2, Flags.IN_DELETE, 0, utf8("keep"), 16);
        ByteBuffer buf = buffer(one, two);
        buf.position(one.length);
        assertEquals(List.of(new InotifyEvent(2, Flags.IN_DELETE, 0, utf8("keep"))), InotifyDecoder.decode(buf));
        assertEquals(one.length, buf.position());
    }

    @Test
    void truncatedHeader_isAnError() {
        ByteBuffer buf = buffer(record(1, Flags.IN_CREATE, 0, utf8("a"), 16), new byte[15]);
        NativeException e = assertThrows(NativeException.class, () -> InotifyDecoder.decode(buf));
        assertEquals("read(inotify): truncated event header: 15 of 16 bytes at offset 32", e.getMessage());
    }

    @Test
    void truncatedName_isAnError() {
        byte[] whole = record(1, Flags.IN_CREATE, 0, utf8("abc"), 16);
        ByteBuffer buf = ByteBuffer.wrap(whole, 0, 16 + 15).slice().order(ByteOrder.nativeOrder());
        NativeException e = assertThrows(NativeException.class, () -> InotifyDecoder.decode(buf));
        assertEquals("read(inotify): truncated event name: len 16 but 15 bytes left at offset 0", e.getMessage());
    }

    @Test
    void lenAboveSignedIntRange_isAnErrorNotACrash() {
        ByteBuffer buf = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        buf.putInt(1).putInt(Flags.IN_CREATE).putInt(0).putInt(0xfffffff0).flip();
        NativeException e = assertThrows(NativeException.class, () -> InotifyDecoder.decode(buf));
        assertEquals("read(inotify): truncated event name: len 4294967280 but 0 bytes left at offset 0", e.getMessage());
    }
}
