package org.securonis.bim.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A {@link FileRecord} as the JSON object used in evidence files (sidecars, incident reports, archives). */
public final class RecordJson {

    private RecordJson() {
    }

    /** The record's fields (mode as an octal string, times in ECS form), or a JSON null for no record. */
    public static JsonNode of(FileRecord r) {
        if (r == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("path", r.path());
        n.put("type", r.type().label());
        n.put("sha256", r.sha256());
        n.put("size", r.size());
        n.put("mode", r.modeString());
        n.put("uid", Integer.toUnsignedLong(r.uid()));
        n.put("gid", Integer.toUnsignedLong(r.gid()));
        n.put("inode", r.inode());
        n.put("device", r.device());
        n.put("nlink", r.nlink());
        n.put("mtime", AlertFormat.time(r.mtime()));
        n.put("ctime", AlertFormat.time(r.ctime()));
        n.put("target", r.target());
        n.put("tier", r.tier().label());
        return n;
    }
}
