package org.securonis.bim.core;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes the baseline JSON at {@code database_path}. Writes are atomic ({@link AtomicFiles}); a load
 * either returns the whole baseline or fails naming the file, the place and what was wrong, never an empty one.
 */
public final class BaselineStore {

    static final String FORMAT = "bim-baseline";
    /**
     * A record's fields in the order written, one bit each in the parse; all but the last ("capability", which
     * baselines recorded before capabilities were read lack) are required.
     */
    private static final List<String> RECORD_FIELDS = List.of("path", "type", "sha256", "size", "mode", "uid", "gid",
            "inode", "device", "nlink", "mtime", "ctime", "target", "tier", "checked", "capability");
    private static final int REQUIRED = (1 << (RECORD_FIELDS.size() - 1)) - 1;
    private static final FileType[] FILE_TYPES = FileType.values(); // values() copies its array at every call
    private static final Tier[] TIERS = Tier.values();
    private static final List<String> TOP_FIELDS = List.of("format", "version", "created", "updated", "files", "seal",
            "signature");
    /**
     * Duplicate fields are refused by the parse itself (a bit per field): Jackson's own detection keeps a set of
     * names for every object, 100,000 sets for a large baseline, which was a tenth of its load time.
     */
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final Path path;
    private final BaselineSeal seal;
    private final VerifyingKey verifier;
    private final SigningKey signer;

    /** A store without a seal: baselines are neither sealed nor verified (tests of the format). */
    public BaselineStore(Path path) {
        this(path, null);
    }

    /** A store that seals what it saves and verifies what it loads. */
    public BaselineStore(Path path, BaselineSeal seal) {
        this(path, seal, null, null);
    }

    /**
     * A store that also requires every load to be signed by {@code verifier} (none: signing off); with a verifier
     * it cannot save, since saving needs the private key: that is what keeps a daemon from signing by itself.
     */
    public BaselineStore(Path path, BaselineSeal seal, VerifyingKey verifier) {
        this(path, seal, verifier, null);
    }

    /** A store that seals and signs what it saves, and verifies both (the signer's public half) on load. */
    public BaselineStore(Path path, BaselineSeal seal, SigningKey signer) {
        this(path, seal, signer.verifyingKey(), signer);
    }

    private BaselineStore(Path path, BaselineSeal seal, VerifyingKey verifier, SigningKey signer) {
        this.path = path;
        this.seal = seal;
        this.verifier = verifier;
        this.signer = signer;
    }

    /** The key every load's signature must verify with, or null when signing is off. */
    public VerifyingKey verifier() {
        return verifier;
    }

    /** The database file. */
    public Path path() {
        return path;
    }

    /** True when a baseline file exists (whether or not it loads). */
    public boolean exists() {
        return Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Takes the writers' lock beside the database, so that {@code init}, {@code update} and the daemon never
     * write over each other's baseline; blocks until it is free. The caller closes it.
     */
    public AutoCloseable lock() throws IOException {
        Path lockFile = path.resolveSibling("." + path.getFileName() + ".lock");
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = ch.lock();
            return () -> {
                try (ch) {
                    lock.release();
                }
            };
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Loads the baseline, validating every record and, with a seal, the seal, and with a verifier, the signature;
     * a bad or missing seal or signature is a {@link SealException}.
     */
    public Baseline load() throws BaselineException {
        // The watermark is read before the baseline is opened: a writer replaces the baseline first and advances
        // the watermark after, so a baseline read after it is never older than it, unless an older copy was put
        // back. (Read after, a legitimate update finishing in between made the baseline read look rolled back.)
        Watermark mark = readWatermark();
        try {
            // One pass over the file, streamed: the seal is computed over the same bytes the parser reads (no
            // second read an attacker could race, and no copy of a 30 MB file in memory).
            RegularFiles.require(path);
            try (SealingInputStream in = new SealingInputStream(Files.newInputStream(path),
                    seal == null ? null : seal.mac(), verifier == null ? null : VerifyingKey.digest());
                    JsonParser p = JSON.createParser(in)) {
                return parse(p, in, mark);
            }
        } catch (NoSuchFileException e) {
            throw new BaselineException(path + ": no baseline here (record one with `bim init`)");
        } catch (AccessDeniedException e) {
            throw new BaselineException(path + ": permission denied (run as root, or point database_path elsewhere)");
        } catch (JsonProcessingException e) {
            // Jackson names where a marker began as "[Source: REDACTED (...); line: 1, column: 1]": the source is
            // this file, named already.
            throw new BaselineException(where(e) + e.getOriginalMessage().replaceAll("\\s+", " ")
                    .replaceAll("\\[Source: REDACTED \\([^)]*\\); ", "[")
                    + " (the baseline is truncated or corrupt; restore it, or record a new one with `bim init --force`)",
                    e);
        } catch (IOException e) {
            throw new BaselineException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    private String where(JsonProcessingException e) {
        return e.getLocation() == null ? path + ": "
                : path + ":" + e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr() + ": ";
    }

    private Baseline parse(JsonParser p, SealingInputStream in, Watermark mark)
            throws IOException, BaselineException {
        long sealedUpTo = -1;
        String sealText = null;
        String signatureText = null;
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw invalid(p, "expected a JSON object with \"format\": \"" + FORMAT + "\"");
        }
        String format = null;
        Integer version = null;
        Instant created = null;
        Instant updated = null;
        List<FileRecord> records = null;
        int given = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            int known = TOP_FIELDS.indexOf(field); // an unknown one is refused below
            if (known >= 0 && (given & 1 << known) != 0) {
                throw invalid(p, "duplicate field \"" + field + "\"");
            }
            given |= known >= 0 ? 1 << known : 0;
            JsonToken t = p.nextToken();
            switch (field) {
                case "format" -> format = t == JsonToken.VALUE_STRING ? p.getText() : "";
                case "version" -> {
                    if (t != JsonToken.VALUE_NUMBER_INT) {
                        throw invalid(p, "\"version\" must be an integer");
                    }
                    version = p.getIntValue();
                }
                case "created" -> created = instant(p, "created", t == JsonToken.VALUE_STRING ? p.getText() : null);
                case "updated" -> updated = instant(p, "updated", t == JsonToken.VALUE_STRING ? p.getText() : null);
                case "files" -> {
                    if (!FORMAT.equals(format) || version == null) {
                        throw invalid(p, "\"format\" and \"version\" must come before \"files\"");
                    }
                    if (version != Baseline.VERSION) {
                        throw invalid(p, "version " + version + " is not supported (this build reads version "
                                + Baseline.VERSION + ")");
                    }
                    records = records(p, t);
                    // The seal covers every byte up to and including the end of the files array.
                    sealedUpTo = p.currentTokenLocation().getByteOffset() + 1;
                }
                case "seal" -> sealText = t == JsonToken.VALUE_STRING ? p.getText() : "";
                case "signature" -> signatureText = t == JsonToken.VALUE_STRING ? p.getText() : "";
                default -> throw invalid(p, "unknown field \"" + field + "\"");
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw invalid(p, "expected the end of the baseline object");
        }
        if (p.nextToken() != null) {
            throw invalid(p, "unexpected content after the baseline object");
        }
        if (!FORMAT.equals(format)) {
            throw new BaselineException(path + ": not a bim baseline (\"format\" must be \"" + FORMAT + "\")");
        }
        if (created == null || updated == null || records == null) {
            throw new BaselineException(path + ": incomplete baseline: \"created\", \"updated\" and \"files\" are "
                    + "required (the file is truncated or corrupt)");
        }
        Baseline b;
        try {
            b = Baseline.of(created, updated, records);
        } catch (IllegalArgumentException e) {
            throw new BaselineException(path + ": " + e.getMessage());
        }
        verify(in, sealedUpTo, sealText, signatureText);
        checkWatermark(b, mark);
        return b;
    }

    /**
     * Where the newest accepted baseline's time is kept, sealed: {@code .hashes.json.watermark} beside it. A sealed
     * baseline older than that one is an old copy put back (a rollback to before a change was accepted, say from
     * {@code hashes.json.previous}): its own seal is genuine, so only this says it is stale.
     */
    Path watermarkPath() {
        return path.resolveSibling("." + path.getFileName() + ".watermark");
    }

    private static final String WATERMARK = "bim-baseline-watermark-v1\0";

    /**
     * What the watermark said when read: the newest accepted time (verified), or that there is none, or that it
     * cannot be read here (not root), or why it is refused (thrown once the baseline itself has been checked).
     */
    private record Watermark(Instant newest, boolean missing, SealException refusal) {
    }

    private Watermark readWatermark() {
        if (seal == null) {
            return new Watermark(null, false, null);
        }
        Path w = watermarkPath();
        String text;
        try {
            byte[] bytes = RegularFiles.readAllBytes(w);
            if (bytes.length > 4096) {
                return new Watermark(null, false, new SealException(w + ": not a watermark (" + bytes.length
                        + " bytes): not trusted"));
            }
            text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return new Watermark(null, true, null);
        } catch (IOException e) {
            return new Watermark(null, false, null); // unreadable here (not root): the seal and signature still stand
        }
        int space = text.indexOf(' ');
        Instant newest = space < 0 ? null : Times.parseUtc(text.substring(0, space));
        if (newest == null || !MessageDigest.isEqual(seal.tag(WATERMARK + text.substring(0, space))
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                text.substring(space + 1).getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
            return new Watermark(null, false, new SealException(w + ": the watermark does not verify (it was "
                    + "edited, or the key " + seal.keyFile() + " changed): not trusted"));
        }
        return new Watermark(newest, false, null);
    }

    private void checkWatermark(Baseline b, Watermark mark) throws SealException {
        if (seal == null) {
            return;
        }
        if (mark.refusal() != null) {
            throw mark.refusal();
        }
        if (mark.missing()) {
            advanceWatermark(b); // the first load of this build: from here on, older copies are refused
            return;
        }
        Instant newest = mark.newest();
        if (newest == null) {
            return;
        }
        if (b.updated().isBefore(newest)) {
            throw new SealException(path + ": ROLLED BACK: this baseline was accepted at " + b.updated()
                    + ", but a baseline accepted at " + newest + " has replaced it since (an older copy was put "
                    + "back): not trusted");
        }
        if (b.updated().isAfter(newest)) {
            advanceWatermark(b); // saved by a writer that crashed before its watermark, or by an older build
        }
    }

    /** Records {@code b} as the newest accepted baseline; best effort (the seal and signature do not need it). */
    private void advanceWatermark(Baseline b) {
        Instant newest = readWatermark().newest();
        if (newest != null && !newest.isBefore(b.updated())) {
            return; // a writer has moved it on meanwhile: never lowered
        }
        String at = b.updated().toString();
        try {
            byte[] text = (at + " " + seal.tag(WATERMARK + at) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            AtomicFiles.write(watermarkPath(), out -> out.write(text));
        } catch (IOException | RuntimeException e) {
            // A read-only state directory: rollbacks are then caught only by the seal's other checks.
        }
    }

    /** Checks the seal and the signature over the first {@code sealedUpTo} bytes read, as this store requires. */
    private void verify(SealingInputStream in, long sealedUpTo, String sealText, String signatureText)
            throws SealException {
        if (seal == null && verifier == null) {
            return;
        }
        if (seal != null && sealText == null) {
            throw new SealException(path + ": the baseline has no seal (it was written or edited without the key "
                    + seal.keyFile() + "): not trusted");
        }
        if (verifier != null && signatureText == null) {
            throw new SealException(path + ": the baseline is not signed, but signing_public_key " + verifier.file()
                    + " requires it (it was written without the private key): not trusted; record a signed one "
                    + "with `bim init --force --signing-key FILE`");
        }
        boolean covered = sealedUpTo > 0 && in.coverUpTo(sealedUpTo);
        if (seal != null && (!covered || !BaselineSeal.equal(in.mac(), sealText))) {
            throw new SealException(path + ": the seal does not match the content (the baseline was edited, or "
                    + "the key " + seal.keyFile() + " changed): not trusted");
        }
        String refusal = !covered ? "the signature does not match the content" : verifier == null ? null
                : verifier.refusal(in.digest(), signatureText);
        if (verifier != null && refusal != null) {
            throw new SealException(path + ": " + refusal + " (the baseline was edited, or signed by another key "
                    + "than " + verifier.file() + "): not trusted");
        }
    }

    private List<FileRecord> records(JsonParser p, JsonToken t) throws IOException, BaselineException {
        if (t != JsonToken.START_ARRAY) {
            throw invalid(p, "\"files\" must be an array of records");
        }
        List<FileRecord> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw invalid(p, "files[" + out.size() + "] must be an object");
            }
            out.add(record(p, out.size()));
        }
        return out;
    }

    /** One record, read field by field from the stream (no tree per record: a baseline has 100,000 of them). */
    private FileRecord record(JsonParser p, int index) throws IOException, BaselineException {
        // The record's name and place are made into text only for an error (they are 100,000 strings otherwise),
        // and so are the short fields (type, mode, tier): they are read from the parser's own characters.
        String path = null;
        FileType type = null;
        String sha = null;
        int mode = -1;
        String target = null;
        Tier tier = null;
        Instant mtime = null;
        Instant ctime = null;
        Instant checked = null;
        long size = -1;
        long uid = -1;
        long gid = -1;
        long inode = -1;
        long device = -1;
        long nlink = -1;
        String capability = null;
        int given = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            int bit;
            switch (field) {
                case "path" -> {
                    bit = 1;
                    path = text(p, v, index, field, false);
                }
                case "type" -> {
                    bit = 1 << 1;
                    type = label(p, v, index, field, FILE_TYPES, FileType::label);
                }
                case "sha256" -> {
                    bit = 1 << 2;
                    sha = text(p, v, index, field, true);
                }
                case "size" -> {
                    bit = 1 << 3;
                    size = number(p, v, index, field, 0, Long.MAX_VALUE);
                }
                case "mode" -> {
                    bit = 1 << 4;
                    mode = mode(p, v, index);
                }
                case "uid" -> {
                    bit = 1 << 5;
                    uid = number(p, v, index, field, 0, 0xffffffffL);
                }
                case "gid" -> {
                    bit = 1 << 6;
                    gid = number(p, v, index, field, 0, 0xffffffffL);
                }
                case "inode" -> {
                    bit = 1 << 7;
                    inode = number(p, v, index, field, Long.MIN_VALUE, Long.MAX_VALUE);
                }
                case "device" -> {
                    bit = 1 << 8;
                    device = number(p, v, index, field, Long.MIN_VALUE, Long.MAX_VALUE);
                }
                case "nlink" -> {
                    bit = 1 << 9;
                    nlink = number(p, v, index, field, 0, Integer.MAX_VALUE);
                }
                case "mtime" -> {
                    bit = 1 << 10;
                    mtime = time(p, v, index, field);
                }
                case "ctime" -> {
                    bit = 1 << 11;
                    ctime = time(p, v, index, field);
                }
                case "target" -> {
                    bit = 1 << 12;
                    target = text(p, v, index, field, true);
                }
                case "tier" -> {
                    bit = 1 << 13;
                    tier = label(p, v, index, field, TIERS, Tier::label);
                }
                case "checked" -> {
                    bit = 1 << 14;
                    checked = time(p, v, index, field);
                }
                case "capability" -> {
                    bit = 1 << 15;
                    // Almost always none: the one empty text, not one per record.
                    capability = v == JsonToken.VALUE_STRING && p.getTextLength() == 0 ? ""
                            : text(p, v, index, field, true);
                }
                default -> throw new BaselineException(where(p) + "files[" + index + "]: unknown field \"" + field
                        + "\"");
            }
            if ((given & bit) != 0) {
                throw new BaselineException(where(p) + "files[" + index + "]: duplicate field \"" + field + "\"");
            }
            given |= bit;
        }
        int missing = REQUIRED & ~given;
        if (missing != 0) {
            throw new BaselineException(where(p) + "files[" + index + "]: \""
                    + RECORD_FIELDS.get(Integer.numberOfTrailingZeros(missing)) + "\" is missing");
        }
        try {
            if (type == FileType.FILE && sha == null) {
                throw new BaselineException(where(p) + "files[" + index + "]: a regular file needs its \"sha256\"");
            }
            return new FileRecord(path, type, sha, size, mode, (int) uid, (int) gid, inode, device, (int) nlink, mtime,
                    ctime, target, tier, checked, capability);
        } catch (IllegalArgumentException e) {
            throw new BaselineException(where(p) + "files[" + index + "]: " + e.getMessage());
        }
    }

    /** The constant whose label is the string value, compared in the parser's characters. */
    private <E> E label(JsonParser p, JsonToken v, int index, String field, E[] constants,
            java.util.function.Function<E, String> labelOf) throws IOException, BaselineException {
        if (v != JsonToken.VALUE_STRING) {
            throw new BaselineException(where(p) + "files[" + index + "]: \"" + field + "\" must be a string");
        }
        char[] c = p.getTextCharacters();
        int off = p.getTextOffset();
        int len = p.getTextLength();
        for (E e : constants) {
            String label = labelOf.apply(e);
            if (label.length() == len && same(label, c, off)) {
                return e;
            }
        }
        throw new BaselineException(where(p) + "files[" + index + "]: " + field + " (" + p.getText()
                + ") must be one of " + java.util.Arrays.stream(constants).map(labelOf).toList());
    }

    private static boolean same(String label, char[] c, int off) {
        for (int i = 0; i < label.length(); i++) {
            if (label.charAt(i) != c[off + i]) {
                return false;
            }
        }
        return true;
    }

    /** The mode: an octal string of one to five digits, read from the parser's characters. */
    private int mode(JsonParser p, JsonToken v, int index) throws IOException, BaselineException {
        if (v != JsonToken.VALUE_STRING) {
            throw new BaselineException(where(p) + "files[" + index + "]: \"mode\" must be a string");
        }
        char[] c = p.getTextCharacters();
        int off = p.getTextOffset();
        int len = p.getTextLength();
        int m = len == 0 || len > 5 ? -1 : 0;
        for (int i = 0; i < len && m >= 0; i++) {
            char d = c[off + i];
            m = d < '0' || d > '7' ? -1 : m * 8 + (d - '0');
        }
        if (m < 0) {
            throw new BaselineException(where(p) + "files[" + index + "]: \"mode\" (" + p.getText()
                    + ") must be an octal string like \"0755\"");
        }
        return m;
    }

    private String text(JsonParser p, JsonToken v, int index, String field, boolean nullable)
            throws IOException, BaselineException {
        if (v == JsonToken.VALUE_NULL && nullable) {
            return null;
        }
        if (v != JsonToken.VALUE_STRING) {
            throw new BaselineException(where(p) + "files[" + index + "]: \"" + field + "\" must be a string");
        }
        return p.getText();
    }

    /**
     * A time field, parsed from the parser's own characters (no text made of it: a baseline has three times a
     * record); a form other than the one we write goes through the full parser, whose refusal names the field.
     */
    private Instant time(JsonParser p, JsonToken v, int index, String field) throws IOException, BaselineException {
        if (v != JsonToken.VALUE_STRING) {
            throw new BaselineException(where(p) + "files[" + index + "]: \"" + field + "\" must be a string");
        }
        Instant fast = Times.parseUtc(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
        return fast != null ? fast : instant(where(p), "files[" + index + "]." + field, p.getText());
    }

    private long number(JsonParser p, JsonToken v, int index, String field, long min, long max)
            throws IOException, BaselineException {
        if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new BaselineException(where(p) + "files[" + index + "]: \"" + field + "\" must be an integer");
        }
        long n = p.getLongValue();
        if (n < min || n > max) {
            throw new BaselineException(where(p) + "files[" + index + "]: " + field + " (" + n + ") is out of range");
        }
        return n;
    }

    private Instant instant(JsonParser p, String field, String text) throws BaselineException {
        return instant(where(p), field, text);
    }

    private static Instant instant(String at, String field, String text) throws BaselineException {
        if (text == null) {
            throw new BaselineException(at + "\"" + field + "\" must be an ISO-8601 time string");
        }
        Instant fast = Times.parseUtc(text);
        if (fast != null) {
            return fast;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new BaselineException(at + "\"" + field + "\" (" + text + ") must be an ISO-8601 UTC time");
        }
    }

    private String where(JsonParser p) {
        var loc = p.currentTokenLocation();
        return path + ":" + loc.getLineNr() + ":" + loc.getColumnNr() + ": ";
    }

    private BaselineException invalid(JsonParser p, String message) {
        return new BaselineException(where(p) + message
                + " (the baseline is corrupt; restore it, or record a new one with `bim init --force`)");
    }

    /**
     * Writes {@code baseline} atomically (sealed, with a key; signed, with a signer): a crash leaves the old file or
     * the new one, whole. A store that verifies signatures but holds no private key refuses, writing nothing.
     */
    public void save(Baseline baseline) throws IOException {
        if (verifier != null && signer == null) {
            throw new IOException("the baseline must be signed (signing_public_key " + verifier.file() + "), and "
                    + "signing needs the private key: nothing was written");
        }
        AtomicFiles.write(path, out -> {
            // Streamed: the seal's MAC and the signature's digest see every byte up to the end of the files array
            // as it goes to the file (no copy of it in memory).
            javax.crypto.Mac mac = seal == null ? null : seal.mac();
            java.security.MessageDigest digest = signer == null ? null : VerifyingKey.digest();
            boolean[] covering = {true};
            java.io.OutputStream tee = new java.io.FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (covering[0] && mac != null) {
                        mac.update(b, off, len);
                    }
                    if (covering[0] && digest != null) {
                        digest.update(b, off, len);
                    }
                    this.out.write(b, off, len);
                }

                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }
            };
            try (JsonGenerator g = JSON.createGenerator(tee, JsonEncoding.UTF8)) {
                g.writeStartObject();
                g.writeStringField("format", FORMAT);
                g.writeNumberField("version", baseline.version());
                g.writeStringField("created", baseline.created().toString());
                g.writeStringField("updated", baseline.updated().toString());
                g.writeArrayFieldStart("files");
                for (FileRecord r : baseline.files().values()) {
                    g.writeRaw('\n');
                    writeRecord(g, r);
                }
                g.writeEndArray();
                g.flush();
                covering[0] = false;
                if (mac != null) {
                    g.writeStringField("seal", BaselineSeal.PREFIX + java.util.HexFormat.of().formatHex(mac.doFinal()));
                }
                if (digest != null) {
                    g.writeStringField("signature", signer.sign(digest.digest()));
                }
                g.writeEndObject();
                g.writeRaw('\n');
            }
        });
        if (seal != null) {
            advanceWatermark(baseline);
        }
    }

    private static void writeRecord(JsonGenerator g, FileRecord r) throws IOException {
        g.writeStartObject();
        g.writeStringField("path", r.path());
        g.writeStringField("type", r.type().label());
        g.writeStringField("sha256", r.sha256());
        g.writeNumberField("size", r.size());
        g.writeStringField("mode", r.modeString());
        g.writeNumberField("uid", Integer.toUnsignedLong(r.uid()));
        g.writeNumberField("gid", Integer.toUnsignedLong(r.gid()));
        g.writeNumberField("inode", r.inode());
        g.writeNumberField("device", r.device());
        g.writeNumberField("nlink", r.nlink());
        g.writeStringField("mtime", r.mtime().toString());
        g.writeStringField("ctime", r.ctime().toString());
        g.writeStringField("target", r.target());
        g.writeStringField("tier", r.tier().label());
        g.writeStringField("checked", r.checked().toString());
        if (r.capability() != null) {
            g.writeStringField("capability", r.capability());
        }
        g.writeEndObject();
    }
}
