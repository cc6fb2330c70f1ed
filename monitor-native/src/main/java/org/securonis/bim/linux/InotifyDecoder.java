package org.securonis.bim.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Decodes the records of one inotify read; a pure function, safe on any thread. */
final class InotifyDecoder {
    /*
     * struct inotify_event {
     *     int      wd;       // offset 0
     *     uint32_t mask;     // offset 4
     *     uint32_t cookie;   // offset 8
     *     uint32_t len;      // offset 12: bytes of name[], NUL padding included
     *     char     name[];   // offset 16
     * };
     */
    static final int OFFSET_WD = 0;
    static final int OFFSET_MASK = 4;
    static final int OFFSET_COOKIE = 8;
    static final int OFFSET_LEN = 12;
    static final int HEADER_SIZE = 16;

    private InotifyDecoder() {
    }

    /**
     * Decodes every record between the buffer's position and limit (native byte order) without
     * moving the position; a record cut short is an error, as the kernel only returns whole ones.
     */
    static List<InotifyEvent> decode(ByteBuffer buffer) throws NativeException {
        ByteBuffer buf = buffer.duplicate().order(ByteOrder.nativeOrder());
        List<InotifyEvent> events = new ArrayList<>();
        int at = buf.position();
        int end = buf.limit();
        while (at < end) {
            if (end - at < HEADER_SIZE) {
                throw NativeException.failure("read(inotify)", "truncated event header: "
                        + (end - at) + " of " + HEADER_SIZE + " bytes at offset " + at);
            }
            int wd = buf.getInt(at + OFFSET_WD);
            int mask = buf.getInt(at + OFFSET_MASK);
            int cookie = buf.getInt(at + OFFSET_COOKIE);
            long len = Integer.toUnsignedLong(buf.getInt(at + OFFSET_LEN));
            long available = end - at - HEADER_SIZE;
            if (len > available) {
                throw NativeException.failure("read(inotify)", "truncated event name: len " + len
                        + " but " + available + " bytes left at offset " + at);
            }
            events.add(new InotifyEvent(wd, mask, cookie, name(buf, at + HEADER_SIZE, (int) len)));
            at += HEADER_SIZE + (int) len;
        }
        return events;
    }

    // The kernel pads name[] with NULs to an alignment boundary; the name ends at the first one.
    private static byte[] name(ByteBuffer buf, int from, int len) {
        byte[] bytes = new byte[len];
        buf.get(from, bytes);
        int n = 0;
        while (n < len && bytes[n] != 0) {
            n++;
        }
        return n == len ? bytes : Arrays.copyOf(bytes, n);
    }
}
