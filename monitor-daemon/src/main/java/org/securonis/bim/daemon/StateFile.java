package org.securonis.bim.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.securonis.bim.core.AtomicFiles;

/**
 * The runtime state beside the baseline ({@code state.json}): facts such as the last check, kept apart from the
 * baseline so that the baseline changes only when changes are accepted.
 */
final class StateFile {

    static final String NAME = "state.json";
    private static final ObjectMapper MAPPER = org.securonis.bim.core.Json.MAPPER;

    private final Path path;

    StateFile(Path stateDir) {
        this.path = stateDir.resolve(NAME);
    }

    Path path() {
        return path;
    }

    /** The state, or an empty object when there is none yet or it cannot be read (it holds no evidence). */
    ObjectNode read() {
        try {
            JsonNode n = MAPPER.readTree(Files.readAllBytes(path));
            return n instanceof ObjectNode o ? o : MAPPER.createObjectNode();
        } catch (NoSuchFileException e) {
            return MAPPER.createObjectNode();
        } catch (IOException e) {
            return MAPPER.createObjectNode();
        }
    }

    /** Replaces one top-level entry, atomically. */
    void put(String key, JsonNode value) throws IOException {
        put(java.util.Map.of(key, value));
    }

    /** Replaces some top-level entries at once, atomically; the others are kept. */
    synchronized void put(java.util.Map<String, JsonNode> entries) throws IOException {
        ObjectNode state = read();
        entries.forEach(state::set);
        byte[] bytes = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(state);
        AtomicFiles.write(path, out -> out.write(bytes));
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }
}
