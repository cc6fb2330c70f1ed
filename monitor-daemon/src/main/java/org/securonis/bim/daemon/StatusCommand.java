package org.securonis.bim.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.securonis.bim.core.AlertFormat;
import org.securonis.bim.core.Baseline;
import org.securonis.bim.core.FileRecord;
import org.securonis.bim.core.Names;
import org.securonis.bim.core.Tier;

/** {@code bim status [--json]}: the baseline's size and age and the last check. */
final class StatusCommand {

    private StatusCommand() {
    }

    static int run(Invocation inv) throws UsageException {
        Baseline baseline = inv.loadBaseline();
        Map<Tier, Integer> tiers = new EnumMap<>(Tier.class);
        for (Tier t : Tier.values()) {
            tiers.put(t, 0);
        }
        for (FileRecord r : baseline.files().values()) {
            tiers.merge(r.tier(), 1, Integer::sum);
        }
        ObjectNode state = new StateFile(inv.config.monitor().stateDir()).read();
        JsonNode last = state.get("last_check");
        Instant now = inv.clock.instant();
        if (inv.line.has("--json")) {
            ObjectNode n = StateFile.object();
            n.put("config", inv.configName());
            n.put("database_path", inv.config.monitor().databasePath().toString());
            ObjectNode b = n.putObject("baseline");
            b.put("files", baseline.size());
            tiers.forEach((t, c) -> b.put(t.label(), c));
            b.put("created", AlertFormat.time(baseline.created()));
            b.put("updated", AlertFormat.time(baseline.updated()));
            b.put("signed_by", inv.signing() ? inv.verifyingKey().fingerprint() : null);
            n.set("last_check", last);
            long pid = new DaemonState(inv.config.monitor().stateDir()).runningPid();
            n.put("daemon_running", pid > 0);
            if (pid > 0) {
                n.set("daemon", state.get("daemon"));
            }
            n.set("outstanding", state.path("outstanding"));
            inv.out.println(n.toString());
            return ExitCode.OK;
        }
        inv.out.println("config:     " + inv.configName());
        inv.out.println("baseline:   " + inv.config.monitor().databasePath());
        inv.out.printf("files:      %d (%d critical, %d library, %d system)%n", baseline.size(),
                tiers.get(Tier.CRITICAL), tiers.get(Tier.LIBRARY), tiers.get(Tier.SYSTEM));
        inv.out.println("recorded:   " + AlertFormat.time(baseline.created()) + " (" + age(baseline.created(), now)
                + " ago)");
        inv.out.println("updated:    " + AlertFormat.time(baseline.updated()) + " (" + age(baseline.updated(), now)
                + " ago)");
        inv.out.println("signature:  " + (inv.signing() ? "verified, ed25519 key " + inv.verifyingKey().fingerprint()
                : "off (sealed only; monitor.signing_public_key is not set)"));
        if (last == null || !last.has("time")) {
            inv.out.println("last check: never");
        } else {
            Instant t = Instant.parse(last.get("time").asText());
            inv.out.printf("last check: %s (%s ago): exit %d, %d files in %.1f s, %d created, %d updated, "
                            + "%d attributes modified, %d deleted, %d moved, %d unreadable%n",
                    AlertFormat.time(t), age(t, now), last.path("exit_code").asInt(), last.path("files").asLong(),
                    last.path("duration_ms").asLong() / 1000.0, last.path("created").asLong(),
                    last.path("updated").asLong(), last.path("attributes_modified").asLong(),
                    last.path("deleted").asLong(), last.path("moved").asLong(), last.path("unreadable").asLong());
        }
        daemon(inv, state, now);
        return ExitCode.OK;
    }

    private static void daemon(Invocation inv, ObjectNode state, Instant now) {
        long pid = new DaemonState(inv.config.monitor().stateDir()).runningPid();
        JsonNode d = state.path("daemon");
        if (pid <= 0) {
            inv.out.println("daemon:     not running" + (d.has("updated") ? " (last seen " + d.get("updated").asText()
                    + ")" : ""));
        } else {
            Instant up = Instant.parse(d.path("started").asText(now.toString()));
            inv.out.printf("daemon:     running, pid %d, up %s%s%n", pid, age(up, now),
                    d.path("dry_run").asBoolean() ? " (dry run)" : "");
            if (d.hasNonNull("safe_mode")) {
                inv.out.println("SAFE MODE:  " + Names.escape(d.get("safe_mode").asText()));
            }
            inv.out.printf("watching:   %d files in %d directories, real-time %s%n", d.path("files").asLong(),
                    d.path("watched_directories").asLong(), d.path("realtime").asBoolean() ? "on" : "OFF (sweeps only)");
            if (d.has("inode_watch")) {
                inv.out.printf("inode watch: %s%n", d.path("inode_watch").asBoolean()
                        ? String.format("on, %d files by handle, %d changes through other names (hard links) seen",
                                d.path("inode_watch_files").asLong(), d.path("inode_watch_changes").asLong())
                        : "OFF (fanotify unavailable: writes through hard links elsewhere wait for the sweep)");
            }
            for (JsonNode u : d.path("unwatched")) {
                inv.out.println("unwatched:  " + Names.escape(u.asText()) + " (covered by sweeps)");
            }
            inv.out.printf("events:     %d received, %d pending, %d overflows, %d alerts%n", d.path("events").asLong(),
                    d.path("pending_events").asLong(), d.path("overflows").asLong(), d.path("alerts").asLong());
            JsonNode s = d.path("last_sweep");
            if (s.has("time")) {
                inv.out.printf("last sweep: %s (%s), %d files in %.1f s, %d differences, %d unreadable%n",
                        s.get("time").asText(), s.path("trigger").asText(), s.path("files").asLong(),
                        s.path("duration_ms").asLong() / 1000.0, s.path("differences").asLong(),
                        s.path("unreadable").asLong());
            }
        }
        org.securonis.bim.core.LockdownState.Active lock =
                new org.securonis.bim.core.LockdownState(inv.config.monitor().stateDir()).active();
        inv.out.println("lockdown:   " + (lock == null ? "not active" : "ACTIVE since " + AlertFormat.time(lock.since())
                + " (incident " + lock.incidentId() + "; script: " + lock.outcome() + "); `bim lockdown release` ends it"));
        org.securonis.bim.core.MaintenanceWindow.Open mw =
                new org.securonis.bim.core.MaintenanceWindow(inv.config.monitor().stateDir()).current();
        inv.out.println("maintenance: " + (mw == null ? "not active" : "ACTIVE since " + AlertFormat.time(mw.since())
                + " until " + AlertFormat.time(mw.until()) + " (" + Names.escape(mw.reason()) + ")"));
        JsonNode out = state.path("outstanding");
        JsonNode last = state.path("last_check");
        boolean checkFound = last.path("exit_code").asInt(0) != 0;
        inv.out.println("outstanding: " + out.size() + (out.size() != 0 ? " (not accepted: `bim update PATH` "
                + "accepts the current state)" : checkFound ? " (the daemon's list of unaccepted changes; the last "
                + "`bim check` found differences, which are not kept: run it again, or `bim update` them)" : ""));
        for (JsonNode o : out) {
            inv.out.printf("  %-19s %-8s %s  since %s%n", o.path("action").asText(), o.path("tier").asText(),
                    Names.escape(o.path("path").asText()), o.path("since").asText());
        }
    }

    static String age(Instant then, Instant now) {
        long s = Math.max(0, Duration.between(then, now).getSeconds());
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return s / 60 + " min";
        }
        if (s < 172800) {
            return s / 3600 + " h";
        }
        return s / 86400 + " days";
    }
}
