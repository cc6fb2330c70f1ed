package org.securonis.bim.core;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One incident: the findings of a burst (gathered while they keep coming within the window), what each response
 * stage did with its outcome, and the evidence. Mutable; guarded by the {@link ResponsePipeline}'s lock.
 */
final class Incident {

    /** One file of the incident and its evidence. */
    static final class Entry {
        final Finding finding;
        Quarantine.Capture capture;
        List<ProcessInfo> processes = List.of();

        Entry(Finding finding) {
            this.finding = finding;
        }
    }

    final String id;
    final Instant opened;
    Instant last;
    Instant closed;
    final List<Entry> entries = new ArrayList<>();
    final List<ActionOutcome> actions = new ArrayList<>();
    final Set<ResponseAction> wanted = EnumSet.noneOf(ResponseAction.class);
    boolean lockdownHandled;
    Path report;
    Forensics.ArchiveResult archive;

    Incident(String id, Instant opened) {
        this.id = id;
        this.opened = opened;
        this.last = opened;
    }

    Entry add(Finding f, Set<ResponseAction> actions) {
        Entry e = new Entry(f);
        entries.add(e);
        wanted.addAll(actions);
        last = f.time().isAfter(last) ? f.time() : last;
        return e;
    }

    void outcome(String stage, String path, String outcome, String detail, Instant time) {
        actions.add(new ActionOutcome(stage, path, outcome, detail, time));
    }

    /** The report's JSON. */
    ObjectNode toJson(String host, String version, boolean dryRun, Instant now) {
        ObjectNode n = ForensicJson.object();
        n.put("incident_id", id);
        n.put("host", host);
        n.put("monitor", "bim " + version);
        n.put("dry_run", dryRun);
        n.put("opened", AlertFormat.time(opened));
        n.put("updated", AlertFormat.time(now));
        n.put("closed", closed == null ? null : AlertFormat.time(closed));
        ArrayNode files = n.putArray("files");
        for (Entry e : entries) {
            Finding f = e.finding;
            ObjectNode o = files.addObject();
            o.put("path", f.path());
            o.put("action", f.action().label());
            o.put("tier", f.tier().label());
            o.put("source", f.source().label());
            o.put("detected", AlertFormat.time(f.time()));
            ArrayNode changes = o.putArray("changes");
            f.changes().forEach(changes::add);
            if (f.previousPath() != null) {
                o.put("previous_path", f.previousPath());
            }
            o.set("before", RecordJson.of(f.previous()));
            o.set("after", RecordJson.of(f.current()));
            if (e.capture != null) {
                ObjectNode c = o.putObject("quarantine");
                c.put("id", e.capture.id());
                c.put("content", e.capture.content() == null ? null : e.capture.content().toString());
                c.put("sidecar", e.capture.sidecar().toString());
                c.put("sha256", e.capture.sha256());
                c.put("size", e.capture.size());
            }
            o.set("processes", ForensicJson.processes(e.processes));
        }
        ArrayNode acts = n.putArray("actions");
        for (ActionOutcome a : actions) {
            ObjectNode o = acts.addObject();
            o.put("time", AlertFormat.time(a.time()));
            o.put("stage", a.stage());
            o.put("path", a.path());
            o.put("outcome", a.outcome());
            o.put("detail", a.detail());
        }
        ObjectNode ev = n.putObject("evidence");
        ArrayNode q = ev.putArray("quarantine");
        for (Entry e : entries) {
            if (e.capture != null) {
                q.add(e.capture.sidecar().toString());
                if (e.capture.content() != null) {
                    q.add(e.capture.content().toString());
                }
            }
        }
        ev.put("report", report == null ? null : report.toString());
        ev.put("forensic_archive", archive == null ? null : archive.archive().toString());
        ev.put("forensic_archive_sha256", archive == null ? null : archive.sha256());
        return n;
    }
}
