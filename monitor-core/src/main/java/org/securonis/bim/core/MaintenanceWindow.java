package org.securonis.bim.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A package-update window, kept in {@code maintenance.json} in the state directory: while it is open the daemon
 * notes which monitored files change but answers none; {@code bim maintenance end} accepts what the package
 * manager's checksums vouch for. Thread-safe.
 */
public final class MaintenanceWindow {

    /** An open window. */
    public record Open(Instant since, Instant until, String reason) {
        /** Whether the window has run past its maximum time at {@code now}. */
        public boolean expired(Instant now) {
            return now.isAfter(until);
        }
    }

    private static final ObjectMapper JSON = Json.MAPPER;
    private final Path file;

    public MaintenanceWindow(Path stateDir) {
        this.file = stateDir.resolve("maintenance.json");
    }

    public Path file() {
        return file;
    }

    /** The open window, or null; a damaged file counts as no window (changes are then answered: fail safe). */
    public synchronized Open current() {
        try {
            JsonNode n = JSON.readTree(RegularFiles.readAllBytes(file));
            return new Open(Instant.parse(n.path("since").asText()), Instant.parse(n.path("until").asText()),
                    n.path("reason").asText(""));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Opens (or extends) the window for at most {@code max}. */
    public synchronized Open begin(Instant now, Duration max, String reason) throws IOException {
        Open old = current();
        Open next = new Open(old == null ? now : old.since(), now.plus(max), reason);
        ObjectNode n = JSON.createObjectNode();
        n.put("since", next.since().toString());
        n.put("until", next.until().toString());
        n.put("reason", reason);
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
        AtomicFiles.write(file, out -> out.write(bytes));
        return next;
    }

    /** Closes the window; returns what was open, or null. */
    public synchronized Open end() throws IOException {
        Open old = current();
        Files.deleteIfExists(file);
        return old;
    }
}
