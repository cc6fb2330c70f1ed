package org.securonis.bim.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Decodes the records of one getdents64 call; a pure function, safe on any thread. */
final class DirentDecoder {
    /*
     * struct linux_dirent64 {
     *     ino64_t        d_ino;     // offset 0
     *     off64_t        d_off;     // offset 8
     *     unsigned short d_reclen;  // offset 16: size of this whole record
     *     unsigned char  d_type;    // offset 18
     *     char           d_name[];  // offset 19: NUL-terminated
     * };
     */
    static final int OFFSET_RECLEN = 16;
    static final int OFFSET_TYPE = 18;
    static final int OFFSET_NAME = 19;

    /** One directory entry: its raw name bytes and its d_type (DT_UNKNOWN when the filesystem does not say). */
    record Entry(byte[] name, int type) {
        Entry {
            name = name.clone();
        }

        @Override
        public byte[] name() {
            return name.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && e.type == type && Arrays.equals(e.name, name);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(name) * 31 + type;
        }

        @Override
        public String toString() {
            return "Entry[" + Syscalls.display(name) + ", type=" + type + "]";
        }
    }

    private DirentDecoder() {
    }

    /** Decodes every record between position and limit, leaving out "." and "..". */
    static List<Entry> decode(ByteBuffer buffer) throws NativeException {
        ByteBuffer buf = buffer.duplicate().order(ByteOrder.nativeOrder());
        List<Entry> entries = new ArrayList<>();
        int at = buf.position();
        int end = buf.limit();
        while (at < end) {
            if (end - at < OFFSET_NAME) {
                throw NativeException.failure("getdents64", "truncated record at offset " + at);
            }
            int reclen = Short.toUnsignedInt(buf.getShort(at + OFFSET_RECLEN));
            if (reclen <= OFFSET_NAME || reclen > end - at) {
                throw NativeException.failure("getdents64", "bad d_reclen " + reclen + " at offset " + at);
            }
            int type = Byte.toUnsignedInt(buf.get(at + OFFSET_TYPE));
            int n = 0;
            while (n < reclen - OFFSET_NAME && buf.get(at + OFFSET_NAME + n) != 0) {
                n++;
            }
            byte[] name = new byte[n];
            buf.get(at + OFFSET_NAME, name);
            if (!isDotOrDotDot(name)) {
                entries.add(new Entry(name, type));
            }
            at += reclen;
        }
        return entries;
    }

    private static boolean isDotOrDotDot(byte[] name) {
        return (name.length == 1 && name[0] == '.') || (name.length == 2 && name[0] == '.' && name[1] == '.');
    }
}
