package org.securonis.bim.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Whether the host is in lockdown, kept in {@code lockdown.json} in the state directory so that it survives a
 * restart until {@code bim lockdown release}. Thread-safe.
 */
public final class LockdownState {

    /** An active lockdown. */
    public record Active(Instant since, String incidentId, String outcome) {
    }

    private static final ObjectMapper JSON = Json.MAPPER;
    private final Path file;

    public LockdownState(Path stateDir) {
        this.file = stateDir.resolve("lockdown.json");
    }

    public Path file() {
        return file;
    }

    /** The active lockdown, or null; an unreadable file counts as active (fail safe). */
    public synchronized Active active() {
        try {
            JsonNode n = JSON.readTree(RegularFiles.readAllBytes(file));
            return new Active(Instant.parse(n.path("since").asText()), n.path("incident_id").asText(),
                    n.path("outcome").asText(""));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            return new Active(Instant.EPOCH, "unknown", "lockdown.json unreadable (" + e.getMessage()
                    + "): treated as active");
        }
    }

    /** Enters lockdown for {@code incidentId}; false when the host already is in lockdown. */
    public synchronized boolean enter(String incidentId, Instant now) throws IOException {
        if (active() != null) {
            return false;
        }
        write(new Active(now, incidentId, "running"));
        return true;
    }

    /** Records what the lockdown script did. */
    public synchronized void outcome(String outcome) throws IOException {
        Active a = active();
        if (a != null) {
            write(new Active(a.since(), a.incidentId(), outcome));
        }
    }

    /** Leaves lockdown; returns what was active, or null. */
    public synchronized Active release() throws IOException {
        Active a = active();
        Files.deleteIfExists(file);
        return a;
    }

    private void write(Active a) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("active", true);
        n.put("since", a.since().toString());
        n.put("incident_id", a.incidentId());
        n.put("outcome", a.outcome());
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
        AtomicFiles.write(file, out -> out.write(bytes));
    }
}
