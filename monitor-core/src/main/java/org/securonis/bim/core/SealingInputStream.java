package org.securonis.bim.core;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import javax.crypto.Mac;

/**
 * Feeds the bytes a parser reads into the seal's MAC and the signature's digest, holding back the last
 * {@value #LAG} bytes: the parser reads ahead of the token it reports, and the covered bytes end at a token (the
 * end of the files array), so only once that offset is known are the held-back bytes up to it added.
 * Single-threaded, owned by one load.
 */
final class SealingInputStream extends FilterInputStream {

    /** More than any parser's read-ahead (Jackson's buffers are 8 KB); a power of two. */
    static final int LAG = 1 << 16;

    private final Mac mac;
    private final MessageDigest digest;
    private final byte[] ring = new byte[LAG];
    private long read;
    private long macked;

    /** Feeds {@code mac} and {@code digest}, either of which may be null. */
    SealingInputStream(InputStream in, Mac mac, MessageDigest digest) {
        super(in);
        this.mac = mac;
        this.digest = digest;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0 && (mac != null || digest != null)) {
            for (int done = 0; done < n; ) {
                int chunk = Math.min(n - done, LAG);
                // The bytes about to be overwritten in the window are older than any read-ahead: feed them first.
                feed(read + chunk - LAG);
                // Into the window at the read position, wrapping at its end: at most two copies.
                int at = (int) (read & (LAG - 1));
                int first = Math.min(chunk, LAG - at);
                System.arraycopy(b, off + done, ring, at, first);
                System.arraycopy(b, off + done + first, ring, 0, chunk - first);
                read += chunk;
                done += chunk;
            }
        } else if (n > 0) {
            read += n;
        }
        return n;
    }

    private void feed(long upTo) {
        while (macked < upTo) {
            int at = (int) (macked & (LAG - 1));
            int chunk = (int) Math.min(upTo - macked, LAG - at);
            if (mac != null) {
                mac.update(ring, at, chunk);
            }
            if (digest != null) {
                digest.update(ring, at, chunk);
            }
            macked += chunk;
        }
    }

    /** Feeds the held-back bytes up to {@code end}; false when {@code end} fell out of the window (or was passed). */
    boolean coverUpTo(long end) {
        if (end < macked || end > read) {
            return false;
        }
        feed(end);
        return true;
    }

    /** The MAC of the covered bytes (after {@link #coverUpTo}). */
    byte[] mac() {
        return mac.doFinal();
    }

    /** The SHA-512 of the covered bytes (after {@link #coverUpTo}). */
    byte[] digest() {
        return digest.digest();
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
