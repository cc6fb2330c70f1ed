package org.securonis.bim.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The pure comparison of a baseline record with an observation: which fields differ and what action that is.
 *
 * <p>Times alone (mtime, ctime) are not a change: the content is always re-hashed, so a touched file with the
 * same bytes, mode and owner is the same file. A failed capture never passes and never flaps: its content is
 * not compared (the previous digest stands), only the attributes that could be read.
 */
public final class Classifier {

    private Classifier() {
    }

    /** The fields of {@code before} that differ in {@code after}: content fields first, then attributes. */
    public static List<String> differences(FileRecord before, FileRecord after, boolean compareContent) {
        List<String> out = new ArrayList<>();
        if (before.type() != after.type()) {
            out.add("type");
        } else if (compareContent) {
            if (!Objects.equals(before.sha256(), after.sha256())) {
                out.add("sha256");
            }
            if (before.size() != after.size()) {
                out.add("size");
            }
            if (!Objects.equals(before.target(), after.target())) {
                out.add("target");
            }
            // Only where both were read: a baseline older than capabilities holds null, and is not a change.
            if (before.capability() != null && after.capability() != null
                    && !before.capability().equals(after.capability())) {
                out.add("capability");
            }
        }
        if (before.mode() != after.mode()) {
            out.add("mode");
        }
        if (before.uid() != after.uid()) {
            out.add("uid");
        }
        if (before.gid() != after.gid()) {
            out.add("gid");
        }
        if (before.inode() != after.inode() || before.device() != after.device()) {
            out.add("inode");
        }
        if (before.nlink() != after.nlink()) {
            out.add("nlink");
        }
        return out;
    }

    /** Classifies one path; returns null when it matches its record (or is absent from both). */
    public static Finding classify(String path, Tier tier, FileRecord before, Observation now, Source source,
            Instant time) {
        if (now.isMissing()) {
            return before == null ? null
                    : new Finding(Action.DELETED, path, before.tier(), before, null, List.of(), source, time, null);
        }
        if (now.isFailed()) {
            FileRecord partial = now.state();
            if (before == null || partial == null) {
                return null;
            }
            List<String> diff = differences(before, partial, false);
            // Its bytes unread, a file whose size is not the recorded one has changed all the same (one that kept
            // growing while it was hashed, or an unreadable one rewritten): updated, not only unreadable.
            if (before.type() == FileType.FILE && partial.type() == FileType.FILE && before.size() != partial.size()) {
                diff.add(0, "size");
            }
            return diff.isEmpty() ? null : finding(path, before, partial, diff, source, time);
        }
        FileRecord after = now.state();
        if (before == null) {
            return new Finding(Action.CREATED, path, tier, null, after, List.of(), source, time, null);
        }
        List<String> diff = differences(before, after, true);
        return diff.isEmpty() ? null : finding(path, before, after, diff, source, time);
    }

    private static Finding finding(String path, FileRecord before, FileRecord after, List<String> diff,
            Source source, Instant time) {
        boolean content = diff.contains("type") || diff.contains("sha256") || diff.contains("size")
                || diff.contains("target");
        return new Finding(content ? Action.UPDATED : Action.ATTRIBUTES_MODIFIED, path, before.tier(), before,
                after, diff, source, time, null);
    }
}
