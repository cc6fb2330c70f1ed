package org.securonis.bim.core;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads and writes the baseline JSON at {@code database_path}. Writes are atomic ({@link AtomicFiles}); a load
 * either returns the whole baseline or fails naming the file, the place and what was wrong, never an empty one.
 */
public final class BaselineStore {

    static final String FORMAT = "bim-baseline";
    private static final Set<String> RECORD_FIELDS = Set.of("path", "type", "sha256", "size", "mode", "uid", "gid",
            "inode", "device", "nlink", "mtime", "ctime", "target", "tier", "checked");
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);

    private final Path path;

    public BaselineStore(Path path) {
        this.path = path;
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

    /** Loads the baseline, validating every record. */
    public Baseline load() throws BaselineException {
        try (InputStream in = Files.newInputStream(path); JsonParser p = JSON.createParser(in)) {
            return parse(p);
        } catch (NoSuchFileException e) {
            throw new BaselineException(path + ": no baseline here (record one with `bim init`)");
        } catch (AccessDeniedException e) {
            throw new BaselineException(path + ": permission denied (run as root, or point database_path elsewhere)");
        } catch (JsonProcessingException e) {
            throw new BaselineException(where(e) + e.getOriginalMessage().replaceAll("\\s+", " ")
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

    private Baseline parse(JsonParser p) throws IOException, BaselineException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw invalid(p, "expected a JSON object with \"format\": \"" + FORMAT + "\"");
        }
        String format = null;
        Integer version = null;
        Instant created = null;
        Instant updated = null;
        List<FileRecord> records = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
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
                }
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
        try {
            return Baseline.of(created, updated, records);
        } catch (IllegalArgumentException e) {
            throw new BaselineException(path + ": " + e.getMessage());
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
            String at = where(p);
            JsonNode n = MAPPER.readTree(p);
            out.add(record(n, at, out.size()));
        }
        return out;
    }

    private FileRecord record(JsonNode n, String at, int index) throws BaselineException {
        String name = "files[" + index + "]";
        for (var it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!RECORD_FIELDS.contains(f)) {
                throw new BaselineException(at + name + ": unknown field \"" + f + "\"");
            }
        }
        try {
            FileType type = FileType.ofLabel(text(n, "type", name, at, false));
            String sha = text(n, "sha256", name, at, true);
            if (type == FileType.FILE && sha == null) {
                throw new BaselineException(at + name + ": a regular file needs its \"sha256\"");
            }
            String mode = text(n, "mode", name, at, false);
            if (!mode.matches("[0-7]{1,5}")) {
                throw new BaselineException(at + name + ": \"mode\" (" + mode + ") must be an octal string like \"0755\"");
            }
            return new FileRecord(
                    text(n, "path", name, at, false), type, sha,
                    number(n, "size", name, at),
                    Integer.parseInt(mode, 8),
                    (int) intNumber(n, "uid", name, at),
                    (int) intNumber(n, "gid", name, at),
                    number(n, "inode", name, at),
                    number(n, "device", name, at),
                    (int) intNumber(n, "nlink", name, at),
                    instant(at, name + ".mtime", text(n, "mtime", name, at, false)),
                    instant(at, name + ".ctime", text(n, "ctime", name, at, false)),
                    text(n, "target", name, at, true),
                    Tier.ofLabel(text(n, "tier", name, at, false)),
                    instant(at, name + ".checked", text(n, "checked", name, at, false)));
        } catch (IllegalArgumentException e) {
            throw new BaselineException(at + name + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode n, String field, String name, String at, boolean nullable)
            throws BaselineException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (nullable) {
                return null;
            }
            throw new BaselineException(at + name + ": \"" + field + "\" is missing");
        }
        if (!v.isTextual()) {
            throw new BaselineException(at + name + ": \"" + field + "\" must be a string");
        }
        return v.textValue();
    }

    private static long number(JsonNode n, String field, String name, String at) throws BaselineException {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new BaselineException(at + name + ": \"" + field + "\" must be an integer");
        }
        return v.longValue();
    }

    private static long intNumber(JsonNode n, String field, String name, String at) throws BaselineException {
        long v = number(n, field, name, at);
        if (v < Integer.MIN_VALUE || v > 0xffffffffL) {
            throw new BaselineException(at + name + ": \"" + field + "\" (" + v + ") is out of range");
        }
        return v;
    }

    private Instant instant(JsonParser p, String field, String text) throws BaselineException {
        return instant(where(p), field, text);
    }

    private static Instant instant(String at, String field, String text) throws BaselineException {
        if (text == null) {
            throw new BaselineException(at + "\"" + field + "\" must be an ISO-8601 time string");
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

    /** Writes {@code baseline} atomically: a crash leaves the old file or the new one, whole. */
    public void save(Baseline baseline) throws IOException {
        AtomicFiles.write(path, out -> {
            try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
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
                g.writeEndObject();
                g.writeRaw('\n');
            }
        });
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
        g.writeEndObject();
    }
}
