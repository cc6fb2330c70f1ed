package org.securonis.bim.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.securonis.bim.core.AtomicFiles;

/**
 * The runtime state beside the baseline ({@code state.json}): facts such as the last check, kept apart from the
 * baseline so that the baseline changes only when changes are accepted.
 */
final class StateFile {

    static final String NAME = "state.json";
    private static final ObjectMapper MAPPER = org.securonis.bim.core.Json.MAPPER;

    private static final Object JVM_LOCK = new Object();
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
            JsonNode n = MAPPER.readTree(org.securonis.bim.core.RegularFiles.readAllBytes(path));
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

    /**
     * Replaces some top-level entries at once, atomically; the others are kept. The read, the change and the
     * write are one step under a lock that the daemon and every command take ({@code .state.json.lock}), so that
     * a {@code check} recording its result cannot drop a fact the daemon wrote meanwhile (a restored file's new
     * inode, which would then be alerted as a change), nor the other way round.
     */
    void put(java.util.Map<String, JsonNode> entries) throws IOException {
        // A file lock is held per process: threads of this one queue on the monitor first.
        synchronized (JVM_LOCK) {
            try (FileChannel ch = FileChannel.open(path.resolveSibling("." + NAME + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
                    FileLock lock = ch.lock()) {
                ObjectNode state = read();
                entries.forEach(state::set);
                byte[] bytes = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(state);
                AtomicFiles.write(path, out -> out.write(bytes));
            }
        }
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }
}
