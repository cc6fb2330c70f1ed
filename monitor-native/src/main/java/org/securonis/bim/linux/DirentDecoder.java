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
        List<Entry> entries = new ArrayList<>();
        scan(buffer, null, (name, type) -> entries.add(new Entry(name, type)));
        return entries;
    }

    /** Receives one record: its name (the receiver's to keep) and its d_type. */
    interface RecordSink {
        void record(byte[] name, int type) throws NativeException;
    }

    /**
     * Gives {@code sink} every record between position and limit, "." and ".." left out. The records are copied
     * out in one go (into {@code scratch} when it is large enough) and scanned as an array: byte by byte through
     * the buffer costs a call and a bounds check each, and a walk of /usr/lib reads a megabyte of names.
     */
    static void scan(ByteBuffer buffer, byte[] scratch, RecordSink sink) throws NativeException {
        ByteBuffer buf = buffer.duplicate().order(ByteOrder.nativeOrder());
        int start = buf.position();
        int end = buf.limit() - start;
        byte[] b = scratch != null && scratch.length >= end ? scratch : new byte[end];
        buf.get(start, b, 0, end);
        int at = 0;
        while (at < end) {
            if (end - at < OFFSET_NAME) {
                throw NativeException.failure("getdents64", "truncated record at offset " + (start + at));
            }
            int reclen = Short.toUnsignedInt(buf.getShort(start + at + OFFSET_RECLEN));
            if (reclen <= OFFSET_NAME || reclen > end - at) {
                throw NativeException.failure("getdents64", "bad d_reclen " + reclen + " at offset " + (start + at));
            }
            int type = b[at + OFFSET_TYPE] & 0xff;
            int from = at + OFFSET_NAME;
            int stop = from;
            while (stop < at + reclen && b[stop] != 0) {
                stop++;
            }
            at += reclen;
            byte[] name = Arrays.copyOfRange(b, from, stop);
            if (name.length > 0 && !isDotOrDotDot(name)) {
                sink.record(name, type);
            }
        }
    }

    private static boolean isDotOrDotDot(byte[] name) {
        return (name.length == 1 && name[0] == '.') || (name.length == 2 && name[0] == '.' && name[1] == '.');
    }
}
