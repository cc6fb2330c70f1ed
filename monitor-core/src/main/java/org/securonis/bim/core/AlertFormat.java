package org.securonis.bim.core;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;

/**
 * Turns a finding into one alert object with Elastic Common Schema field names (nested objects, ECS value
 * types), so log shippers take the alert log unchanged; {@code bim check --json} prints the same shape.
 */
public final class AlertFormat {

    private static final DateTimeFormatter MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private AlertFormat() {
    }

    /** ECS time: ISO-8601 UTC with milliseconds. */
    public static String time(Instant t) {
        return MILLIS.format(t);
    }

    /** The alert object for {@code finding}; {@code incidentId} may be null. */
    public static ObjectNode alert(Finding finding, String incidentId) {
        ObjectNode root = JsonNodeFactory.instance.objectNode(); // no mapper: a check's time() starts none
        root.put("@timestamp", time(finding.time()));
        root.put("message", summary(finding));
        ObjectNode event = root.putObject("event");
        event.put("kind", "alert");
        event.put("module", "binary_integrity");
        event.put("dataset", "binary_integrity.alert");
        event.put("action", finding.action().label());
        event.putArray("category").add("file");
        event.putArray("type").add(ecsType(finding.action()));
        ObjectNode file = root.putObject("file");
        FileRecord now = finding.current() != null ? finding.current() : finding.previous();
        file.put("path", finding.path());
        putState(file, now);
        ObjectNode bim = root.putObject("bim");
        bim.put("source", finding.source().label());
        bim.put("tier", finding.tier().label());
        if (incidentId == null) {
            bim.putNull("incident_id");
        } else {
            bim.put("incident_id", incidentId);
        }
        ArrayNode changes = bim.putArray("changes");
        finding.changes().forEach(changes::add);
        if (finding.current() == null) {
            bim.put("missing", true);
        }
        if (finding.previous() != null) {
            ObjectNode prev = bim.putObject("previous");
            prev.put("path", finding.previousPath() != null ? finding.previousPath() : finding.previous().path());
            putState(prev, finding.previous());
        }
        return root;
    }

    private static void putState(ObjectNode file, FileRecord r) {
        if (r == null) {
            return;
        }
        if (r.sha256() != null) {
            file.putObject("hash").put("sha256", r.sha256());
        }
        file.put("size", r.size());
        file.put("mode", r.modeString());
        file.put("uid", Integer.toUnsignedString(r.uid()));
        file.put("gid", Integer.toUnsignedString(r.gid()));
        file.put("inode", Long.toUnsignedString(r.inode()));
        file.put("device", Long.toUnsignedString(r.device()));
        file.put("mtime", time(r.mtime()));
        file.put("ctime", time(r.ctime()));
        file.put("type", r.type().label());
        if (r.target() != null) {
            file.put("target_path", r.target());
        }
        if (r.capability() != null && !r.capability().isEmpty()) {
            file.put("capability", r.capability()); // security.capability, hex (getcap shows it decoded)
        }
    }

    private static String ecsType(Action action) {
        return switch (action) {
            case CREATED -> "creation";
            case DELETED -> "deletion";
            default -> "change";
        };
    }

    /** A one-line human summary, e.g. "updated /usr/bin/su (critical): sha256, size"; names escaped. */
    public static String summary(Finding f) {
        StringBuilder sb = new StringBuilder();
        sb.append(f.action().label()).append(' ').append(Names.escape(f.path())).append(" (").append(f.tier().label()).append(')');
        if (f.action() == Action.MOVED) {
            sb.append(" from ").append(Names.escape(f.previousPath()));
        } else if (!f.changes().isEmpty()) {
            sb.append(": ").append(String.join(", ", f.changes()));
        }
        return sb.toString();
    }
}
