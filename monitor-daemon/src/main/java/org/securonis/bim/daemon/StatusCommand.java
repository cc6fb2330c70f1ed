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
            n.set("last_check", last);
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
        inv.out.println("daemon:     not running");
        return ExitCode.OK;
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
