package org.securonis.bim.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the byte strings of {@code /proc} and other kernel files into Java strings without losing a byte. */
final class ProcText {

    private ProcText() {
    }

    /** Up to {@code limit} bytes of a file; {@code /proc} files report size 0, so this reads to the end. */
    static byte[] read(Path file, int limit) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(limit);
        }
    }

    /** UTF-8 with each undecodable byte 0xNN carried as U+DCNN (the "surrogateescape" convention). */
    static String decode(byte[] bytes, int offset, int length) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
        CharBuffer out = CharBuffer.allocate(length + 1);
        while (true) {
            CoderResult r = dec.decode(in, out, true);
            if (r.isUnderflow()) {
                dec.flush(out);
                break;
            }
            if (r.isError()) {
                for (int i = 0; i < r.length(); i++) {
                    out.put((char) (0xdc00 | (in.get() & 0xff)));
                }
            } else {
                // Overflow cannot happen: UTF-8 never yields more chars than bytes; grow defensively anyway.
                CharBuffer bigger = CharBuffer.allocate(out.capacity() * 2 + 16);
                out.flip();
                bigger.put(out);
                out = bigger;
            }
        }
        out.flip();
        return out.toString();
    }

    /** Decodes a whole byte array, see {@link #decode(byte[], int, int)}. */
    static String decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /** A NUL-terminated field of a fixed-size C char array. */
    static String cString(byte[] bytes, int offset, int size) {
        int end = offset;
        while (end < offset + size && bytes[end] != 0) {
            end++;
        }
        return decode(bytes, offset, end - offset);
    }
}
