package org.securonis.bim.daemon;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.securonis.bim.core.Action;
import org.securonis.bim.core.AlertFormat;
import org.securonis.bim.core.AtomicFiles;
import org.securonis.bim.core.Outstanding;
import org.securonis.bim.core.RuntimeFacts;
import org.securonis.bim.core.Tier;

/**
 * The running daemon's facts for {@code bim status}: the pid file and the {@code daemon} and {@code outstanding}
 * entries of {@code state.json}, which the daemon keeps current.
 */
final class DaemonState {

    static final String PID_FILE = "bim.pid";

    private final Path stateDir;
    private final StateFile file;

    DaemonState(Path stateDir) {
        this.stateDir = stateDir;
        this.file = new StateFile(stateDir);
    }

    Path pidFile() {
        return stateDir.resolve(PID_FILE);
    }

    /** The pid of a live daemon for this state directory, or -1. */
    long runningPid() {
        try {
            long pid = Long.parseLong(Files.readString(pidFile(), StandardCharsets.US_ASCII).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().commandLine().map(c -> c.contains("bim") || c.contains("java")).orElse(true))
                    .map(ProcessHandle::pid).orElse(-1L);
        } catch (NoSuchFileException | NumberFormatException e) {
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    void writePid() throws IOException {
        byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
        AtomicFiles.write(pidFile(), out -> out.write(pid));
    }

    void removePid() throws IOException {
        Files.deleteIfExists(pidFile());
    }

    void write(ObjectNode daemon, Outstanding outstanding, RuntimeFacts facts) throws IOException {
        ObjectNode restored = StateFile.object();
        facts.all().forEach((path, id) -> restored.putObject(path).put("inode", id.inode()).put("device", id.device()));
        ArrayNode list = StateFile.object().arrayNode();
        for (Outstanding.Entry e : outstanding.entries()) {
            ObjectNode n = list.addObject();
            n.put("path", e.path());
            n.put("action", e.action().label());
            n.put("tier", e.tier().label());
            n.put("since", AlertFormat.time(e.since()));
            n.put("state", e.state());
        }
        file.put(Map.of("daemon", daemon, "outstanding", list, "restored", restored));
    }

    /** The outstanding changes an earlier run left, so that a restart does not alert them again. */
    List<Outstanding.Entry> outstanding() {
        List<Outstanding.Entry> out = new ArrayList<>();
        JsonNode list = file.read().path("outstanding");
        for (JsonNode n : list) {
            try {
                out.add(new Outstanding.Entry(n.path("path").asText(), action(n.path("action").asText()),
                        Tier.ofLabel(n.path("tier").asText()), Instant.parse(n.path("since").asText()),
                        n.path("state").asText()));
            } catch (RuntimeException e) {
                // A damaged entry only means that change is alerted once more: never fatal.
            }
        }
        return out;
    }

    /** Identities of files the daemon restored itself, kept by an earlier run. */
    Map<String, RuntimeFacts.Identity> restored() {
        // Streamed, with no JSON mapper: every check reads this, and the mapper's start is a tenth of a CPU-second.
        return file.entry("restored", p -> {
            Map<String, RuntimeFacts.Identity> out = new java.util.HashMap<>();
            if (p.currentToken() != JsonToken.START_OBJECT) {
                return out;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String path = p.currentName();
                long inode = 0;
                long device = 0;
                if (p.nextToken() == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        p.nextToken();
                        if (field.equals("inode")) {
                            inode = number(p);
                        } else if (field.equals("device")) {
                            device = number(p);
                        }
                        p.skipChildren(); // a value of another shape is passed over whole
                    }
                } else {
                    p.skipChildren();
                }
                out.put(path, new RuntimeFacts.Identity(inode, device));
            }
            return out;
        }, new java.util.HashMap<>());
    }

    // A number as the tree's asLong() took one (a fraction cut, a huge one clamped or cut to 64 bits, digits in a
    // string read), 0 for anything else: a damaged entry never loses the others.
    private static long number(com.fasterxml.jackson.core.JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case VALUE_NUMBER_INT:
                return p.getNumberType() == com.fasterxml.jackson.core.JsonParser.NumberType.BIG_INTEGER
                        ? p.getBigIntegerValue().longValue() : p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return (long) p.getDoubleValue();
            case VALUE_STRING:
                return com.fasterxml.jackson.core.io.NumberInput.parseAsLong(p.getText().trim(), 0);
            default:
                return 0;
        }
    }

    private static Action action(String label) {
        for (Action a : Action.values()) {
            if (a.label().equals(label)) {
                return a;
            }
        }
        throw new IllegalArgumentException(label);
    }
}
