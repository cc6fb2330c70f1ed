package org.securonis.bim.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The JSON members of the forensic archive. Non-ASCII is written as {@code \\uXXXX} escapes, so a name
 * carrying an undecodable byte as U+DCNN survives byte for byte instead of breaking the encoder.
 */
final class ForensicJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private ForensicJson() {
    }

    /** The UTF-8 bytes of {@code node}, pretty-printed, with a final newline. */
    static byte[] bytes(JsonNode node) {
        try {
            return (MAPPER.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain nodes always serializes", e);
        }
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /** A file record's fields (as {@link RecordJson} writes them everywhere), marked as existing, with its check time. */
    static ObjectNode record(FileRecord r) {
        ObjectNode o = (ObjectNode) RecordJson.of(r);
        o.put("exists", true);
        o.put("checked", AlertFormat.time(r.checked()));
        return o;
    }

    /** Stands for a record that does not exist: a deleted file's state, a created file's baseline. */
    static ObjectNode absent(String path, String why) {
        ObjectNode o = object();
        o.put("path", path);
        o.put("exists", false);
        o.put("why", why);
        return o;
    }

    static ArrayNode processes(List<ProcessInfo> list) {
        ArrayNode a = array();
        for (ProcessInfo p : list) {
            ObjectNode o = process(a, p.pid(), p.ppid(), p.uid(), p.name(), p.cmdline(), p.exe());
            p.how().forEach(o.putArray("how")::add);
            p.parents().forEach(o.putArray("parents")::add);
        }
        return a;
    }

    static ArrayNode processList(List<ProcEntry> list) {
        ArrayNode a = array();
        for (ProcEntry p : list) {
            process(a, p.pid(), p.ppid(), p.uid(), p.name(), p.cmdline(), p.exe()).put("state", p.state());
        }
        return a;
    }

    /** The fields every process entry has, as a new object of {@code a}. */
    private static ObjectNode process(ArrayNode a, long pid, long ppid, long uid, String name, String cmdline,
            String exe) {
        ObjectNode o = a.addObject();
        o.put("pid", pid);
        o.put("ppid", ppid);
        o.put("uid", uid);
        o.put("name", name);
        o.put("cmdline", cmdline);
        o.put("exe", exe);
        return o;
    }

    static ArrayNode sockets(List<ProcSocket> list) {
        ArrayNode a = array();
        for (ProcSocket s : list) {
            ObjectNode o = a.addObject();
            o.put("protocol", s.protocol());
            if (s.local() != null) {
                o.put("local", s.local());
                o.put("remote", s.remote());
            }
            if (s.path() != null) {
                o.put("path", s.path());
            }
            o.put("state", s.state());
            if (s.uid() >= 0) {
                o.put("uid", s.uid());
            }
            o.put("inode", s.inode());
            s.pids().forEach(o.putArray("pids")::add);
        }
        return a;
    }

    static ArrayNode users(List<ForensicUtmp.Login> list) {
        ArrayNode a = array();
        for (ForensicUtmp.Login l : list) {
            ObjectNode o = a.addObject();
            o.put("user", l.user());
            o.put("line", l.line());
            o.put("host", l.host());
            o.put("pid", l.pid());
            o.put("id", l.id());
            o.put("login", AlertFormat.time(l.time()));
        }
        return a;
    }
}
