package org.securonis.bim.daemon;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.securonis.bim.core.Action;
import org.securonis.bim.core.AlertFormat;
import org.securonis.bim.core.FileRecord;
import org.securonis.bim.core.Finding;
import org.securonis.bim.core.Names;
import org.securonis.bim.core.SweepResult;

/** Prints a sweep's findings for people (one line each, names escaped) or as ECS alert JSON lines. */
final class Report {

    private Report() {
    }

    /** One alert object per line, in the alert log's schema. */
    static void json(PrintStream out, List<Finding> findings) {
        for (Finding f : findings) {
            out.println(org.securonis.bim.core.Json.line(AlertFormat.alert(f, null)));
        }
    }

    /** The summary line, then a line per finding and per unreadable path. */
    static void human(PrintStream out, String verb, SweepResult r) {
        List<String> counts = new ArrayList<>();
        count(counts, r.count(Action.UPDATED) + r.count(Action.ATTRIBUTES_MODIFIED), "changed");
        count(counts, r.count(Action.CREATED), "added");
        count(counts, r.count(Action.DELETED), "removed");
        count(counts, r.count(Action.MOVED), "moved");
        count(counts, r.problems().size(), "unreadable");
        out.printf("bim %s: %s (%d files, %s hashed in %.1f s)%n", verb,
                counts.isEmpty() ? "no differences" : String.join(", ", counts), r.files(), Sizes.human(r.bytes()),
                r.duration().toMillis() / 1000.0);
        for (Finding f : r.findings()) {
            out.printf("  %-19s %-8s %s%s%n", f.action().label(), f.tier().label(), Names.escape(f.path()),
                    details(f));
        }
        for (SweepResult.Problem p : r.problems()) {
            out.printf("  %-19s %-8s %s  %s%n", "unreadable", "", Names.escape(p.path()), p.message());
        }
    }

    private static void count(List<String> out, long n, String what) {
        if (n > 0) {
            out.add(n + " " + what);
        }
    }

    /** The changed fields with old and new values. */
    static String details(Finding f) {
        FileRecord a = f.previous();
        FileRecord b = f.current();
        if (f.action() == Action.MOVED) {
            return "  from " + Names.escape(f.previousPath());
        }
        if (f.action() == Action.CREATED) {
            return "  " + b.type().label() + (b.sha256() != null ? " sha256 " + shortHash(b.sha256()) : "")
                    + (b.target() != null ? " -> " + Names.escape(b.target()) : "") + " mode " + b.modeString()
                    + " uid " + Integer.toUnsignedString(b.uid());
        }
        if (f.action() == Action.DELETED) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (String c : f.changes()) {
            parts.add(switch (c) {
                case "type" -> "type " + a.type().label() + " -> " + b.type().label();
                case "sha256" -> "sha256 " + shortHash(a.sha256()) + " -> " + shortHash(b.sha256());
                case "size" -> "size " + a.size() + " -> " + b.size();
                case "target" -> "target " + Names.escape(String.valueOf(a.target())) + " -> "
                        + Names.escape(String.valueOf(b.target()));
                case "mode" -> "mode " + a.modeString() + " -> " + b.modeString();
                case "uid" -> "uid " + Integer.toUnsignedString(a.uid()) + " -> " + Integer.toUnsignedString(b.uid());
                case "gid" -> "gid " + Integer.toUnsignedString(a.gid()) + " -> " + Integer.toUnsignedString(b.gid());
                case "inode" -> "inode " + a.inode() + " -> " + b.inode();
                case "nlink" -> "links " + a.nlink() + " -> " + b.nlink();
                default -> c;
            });
        }
        return "  " + String.join(", ", parts);
    }

    private static String shortHash(String sha) {
        return sha == null ? "(none)" : sha.substring(0, 12) + "…";
    }
}
