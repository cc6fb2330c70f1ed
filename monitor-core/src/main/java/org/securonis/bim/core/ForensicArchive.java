package org.securonis.bim.core;

import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * The tar.gz being written: members under one root directory, each hashed as it is written, counted against a
 * budget of uncompressed bytes; {@link #finish} appends {@code errors.txt} and last {@code MANIFEST.sha256}.
 *
 * <p>Used by one thread; the caller closes it (idempotent), and closes the underlying stream itself.
 */
final class ForensicArchive implements Closeable {

    static final String ERRORS = "errors.txt";
    static final String MANIFEST = "MANIFEST.sha256";
    /** errors.txt lines kept; a flood of one failure would otherwise crowd out the evidence. */
    static final int MAX_ERROR_LINES = 2000;
    private static final int BLOCK = 512;
    private static final int CHUNK = 1 << 16;
    private static final HexFormat HEX = HexFormat.of();

    private final Counter uncompressed;
    private final Counter compressed;
    private final TarArchiveOutputStream tar;
    private final String root;
    private final FileTime mtime;
    private final long budget;
    private final Map<String, String> manifest = new LinkedHashMap<>();
    private final List<String> members = new ArrayList<>();
    private boolean closed;

    /** Writes gzip to {@code out} (not closed by this archive); members are named {@code root/<name>}. */
    ForensicArchive(OutputStream out, String root, Instant mtime, long budget) throws IOException {
        this.compressed = new Counter(true, new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                this.out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        });
        this.uncompressed = new Counter(false, new GzipCompressorOutputStream(compressed));
        this.tar = new TarArchiveOutputStream(uncompressed, StandardCharsets.UTF_8.name());
        // PAX headers carry names of any length and bytes, and sizes over 8 GiB.
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        this.root = root;
        this.mtime = FileTime.from(mtime);
        this.budget = budget;
    }

    /** What copying {@code from} into the archive gave: its digest, and how many bytes came from the source. */
    record Copied(String sha256, long copied, IOException readError) {
    }

    /** Uncompressed tar bytes written so far. */
    long written() {
        return uncompressed.count;
    }

    /** The budget of uncompressed bytes this archive was given. */
    long budget() {
        return budget;
    }

    /** True when a member of {@code size} bytes still fits the budget, its header included. */
    boolean fits(String name, long size) {
        long header = BLOCK + ((root + name).getBytes(StandardCharsets.UTF_8).length > 99 ? 2 * BLOCK : 0);
        long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
        return size >= 0 && written() + header + padded <= budget;
    }

    /** The full names of the members written so far, in order. */
    List<String> members() {
        return List.copyOf(members);
    }

    /** Compressed bytes written so far (the archive's size once finished). */
    long compressedBytes() {
        return compressed.count;
    }

    /** The SHA-256 of the compressed bytes written so far. */
    String compressedSha256() {
        try {
            return HEX.formatHex(((MessageDigest) compressed.digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds a member from memory, whatever the budget (the caller asked {@link #fits} when it matters). */
    void add(String name, byte[] content) throws IOException {
        TarArchiveEntry e = entry(name, content.length);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
        MessageDigest md = sha256();
        md.update(content);
        record(name, md);
    }

    /** Adds {@code text} as UTF-8. */
    void add(String name, String text) throws IOException {
        add(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Copies exactly {@code size} bytes from {@code source} (opened by the caller, who closes it); a file that
     * shrinks or fails while read is zero-padded so the tar stays whole, and the short count says so.
     *
     * @throws IOException only when the archive cannot be written
     */
    Copied addFile(String name, SeekableByteChannel source, long size) throws IOException {
        tar.putArchiveEntry(entry(name, size));
        MessageDigest md = sha256();
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long copied = 0;
        IOException readError = null;
        while (copied < size) {
            buf.clear();
            buf.limit((int) Math.min(CHUNK, size - copied));
            int n;
            try {
                n = source.read(buf);
            } catch (IOException e) {
                readError = e;
                break;
            }
            if (n < 0) {
                break;
            }
            tar.write(buf.array(), 0, n);
            md.update(buf.array(), 0, n);
            copied += n;
        }
        byte[] zeros = new byte[CHUNK];
        for (long left = size - copied; left > 0; left -= Math.min(left, CHUNK)) {
            int n = (int) Math.min(left, CHUNK);
            tar.write(zeros, 0, n);
            md.update(zeros, 0, n);
        }
        tar.closeArchiveEntry();
        return new Copied(record(name, md), copied, readError);
    }

    /** Writes errors.txt and the manifest of every other member, and completes the gzip stream. */
    void finish(List<String> errors) throws IOException {
        StringBuilder text = new StringBuilder();
        int shown = Math.min(errors.size(), MAX_ERROR_LINES);
        for (int i = 0; i < shown; i++) {
            text.append(Names.escape(errors.get(i))).append('\n');
        }
        if (errors.size() > shown) {
            text.append("... and ").append(errors.size() - shown).append(" more errors\n");
        }
        add(ERRORS, text.toString());
        StringBuilder sums = new StringBuilder();
        for (Map.Entry<String, String> m : manifest.entrySet()) {
            sums.append(manifestLine(m.getValue(), m.getKey()));
        }
        byte[] bytes = sums.toString().getBytes(StandardCharsets.UTF_8);
        tar.putArchiveEntry(header(MANIFEST, bytes.length));
        tar.write(bytes);
        tar.closeArchiveEntry();
        members.add(root + MANIFEST);
        tar.finish();
        close();
    }

    /** One line of sha256sum's format; a name with a backslash or newline is escaped the way sha256sum does. */
    static String manifestLine(String sha256, String name) {
        if (name.indexOf('\\') < 0 && name.indexOf('\n') < 0) {
            return sha256 + "  " + name + "\n";
        }
        return "\\" + sha256 + "  " + name.replace("\\", "\\\\").replace("\n", "\\n") + "\n";
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            tar.close();
        }
    }

    private TarArchiveEntry entry(String name, long size) {
        if (manifest.containsKey(name) || name.equals(MANIFEST)) {
            throw new IllegalArgumentException("member (" + name + ") is already in the archive");
        }
        return header(name, size);
    }

    private TarArchiveEntry header(String name, long size) {
        TarArchiveEntry e = new TarArchiveEntry(root + name);
        e.setSize(size);
        e.setMode(0100600);
        e.setLastModifiedTime(mtime);
        e.setUserName("root");
        e.setGroupName("root");
        return e;
    }

    private String record(String name, MessageDigest md) {
        String sha = HEX.formatHex(md.digest());
        manifest.put(name, sha);
        members.add(root + name);
        return sha;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    /** Counts (and for the compressed side, hashes) the bytes going through. */
    private static final class Counter extends FilterOutputStream {

        private final MessageDigest digest;
        private long count;

        Counter(boolean hash, OutputStream out) {
            super(out);
            this.digest = hash ? sha256() : null;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            if (digest != null) {
                digest.update((byte) b);
            }
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            if (digest != null) {
                digest.update(b, off, len);
            }
            count += len;
        }
    }
}
