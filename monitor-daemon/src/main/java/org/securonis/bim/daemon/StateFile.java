package org.securonis.bim.daemon;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.securonis.bim.core.AtomicFiles;
import org.securonis.bim.core.Json;
import org.securonis.bim.core.RegularFiles;

/**
 * The runtime state beside the baseline ({@code state.json}): facts such as the last check, kept apart from the
 * baseline so that the baseline changes only when changes are accepted.
 */
final class StateFile {

    static final String NAME = "state.json";

    private static final Object JVM_LOCK = new Object();
    private final Path path;

    /** One entry's value, written as JSON. */
    interface Value {
        void write(JsonGenerator g) throws IOException;
    }

    /** Reads one entry's value; the parser is at its first token. */
    interface Reader<T> {
        T read(JsonParser p) throws IOException;
    }

    StateFile(Path stateDir) {
        this.path = stateDir.resolve(NAME);
    }

    Path path() {
        return path;
    }

    /** The state, or an empty object when there is none yet or it cannot be read (it holds no evidence). */
    ObjectNode read() {
        // The tree needs the JSON mapper: for status and the daemon. A check reads and writes through entry() and
        // write(), which start none.
        try {
            JsonNode n = Json.MAPPER.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .readTree(text(RegularFiles.readAllBytes(path)));
            return n instanceof ObjectNode o ? o : object();
        } catch (IOException e) {
            return object();
        }
    }

    /**
     * The top-level entry {@code key} as {@code reader} reads it, or {@code absent} when the state, or that entry,
     * is missing or cannot be read (it holds no evidence). Streamed: no tree, no mapper.
     */
    <T> T entry(String key, Reader<T> reader, T absent) {
        String text = readable();
        if (text == null) {
            return absent;
        }
        try (JsonParser p = Json.Streams.shared().createParser(text)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = key.equals(p.currentName());
                p.nextToken();
                if (wanted) {
                    return reader.read(p);
                }
                p.skipChildren();
            }
            return absent;
        } catch (IOException | RuntimeException e) {
            return absent;
        }
    }

    /** Replaces one top-level entry, atomically. */
    void put(String key, JsonNode value) throws IOException {
        put(java.util.Map.of(key, value));
    }

    /** Replaces some top-level entries at once, atomically (see {@link #write}). */
    void put(java.util.Map<String, JsonNode> entries) throws IOException {
        java.util.Map<String, Value> values = new java.util.LinkedHashMap<>();
        entries.forEach((k, v) -> values.put(k, g -> Json.MAPPER.writeTree(g, v)));
        write(values);
    }

    /** Replaces one top-level entry with what {@code value} writes, atomically (see {@link #write}). */
    void write(String key, Value value) throws IOException {
        write(java.util.Map.of(key, value));
    }

    /**
     * Replaces some top-level entries at once, atomically; the others are kept as they are (a state that cannot be
     * read is started afresh, as {@link #read} takes it for empty). The read, the change and the write are one step
     * under a lock that the daemon and every command take ({@code .state.json.lock}), so that a {@code check}
     * recording its result cannot drop a fact the daemon wrote meanwhile (a restored file's new inode, which would
     * then be alerted as a change), nor the other way round.
     */
    void write(java.util.Map<String, Value> entries) throws IOException {
        // A file lock is held per process: threads of this one queue on the monitor first.
        synchronized (JVM_LOCK) {
            try (FileChannel ch = FileChannel.open(path.resolveSibling("." + NAME + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
                    FileLock lock = ch.lock()) {
                String old = readable();
                java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
                try (JsonGenerator g = Json.Streams.shared().createGenerator(text)) {
                    g.useDefaultPrettyPrinter();
                    g.writeStartObject();
                    if (old != null) {
                        try (JsonParser p = Json.Streams.shared().createParser(old)) {
                            p.nextToken();
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String key = p.currentName();
                                p.nextToken();
                                if (entries.containsKey(key)) {
                                    p.skipChildren();
                                } else {
                                    g.writeFieldName(key);
                                    g.copyCurrentStructure(p);
                                }
                            }
                        }
                    }
                    for (java.util.Map.Entry<String, Value> e : entries.entrySet()) {
                        g.writeFieldName(e.getKey());
                        e.getValue().write(g);
                    }
                    g.writeEndObject();
                }
                byte[] bytes = text.toByteArray();
                AtomicFiles.write(path, out -> out.write(bytes));
            }
        }
    }

    /**
     * The state's text when it starts with one whole JSON object without a name given twice, else null. What
     * follows that object is ignored, as {@link #read} ignores it; a name given twice makes the state unreadable
     * to every reader alike (none of bim's writers makes one).
     */
    private String readable() {
        String old;
        try {
            old = text(RegularFiles.readAllBytes(path));
        } catch (IOException e) {
            return null;
        }
        try (JsonParser p = Json.Streams.shared().createParser(old)) {
            p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            p.skipChildren();
            return old;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The state's bytes as text, for the parser that reads characters: its names are paths, and a path that is not
     * UTF-8 is written with a lone surrogate escape (see Names), which the byte parser refuses in a name (it accepts
     * one in a value). Read that way, one such path would lose the whole state.
     */
    private static String text(byte[] bytes) {
        String t = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        return t.startsWith("\uFEFF") ? t.substring(1) : t; // a byte order mark, as the byte parser skipped it
    }

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }
}
