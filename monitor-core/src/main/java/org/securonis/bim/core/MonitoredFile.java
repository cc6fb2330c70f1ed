package org.securonis.bim.core;

import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One path of the monitored set: the path as configured ({@link #path()}, used in records and alerts), where it is
 * read from ({@link #source()}: the same path with a symlinked root resolved once), and its tier.
 *
 * <p>{@link #resolved()}: the source is resolved (its root through symlinks, nothing below): no directory on the way
 * to it may be a symlink, and a file reached only through one is not there. Without it, only the last component is
 * not followed (a path given by hand, through a symlinked root).
 *
 * <p>A member of a walked set is made from its source's text ({@link #named}); its {@link Path} is made only when
 * asked for (an opener that takes the name's bytes never asks: a sweep of 100,000 files makes no path object).
 * Immutable; equal when path, source, tier and resolution are.
 */
public final class MonitoredFile {

    private final String path;
    private final Tier tier;
    private final boolean resolved;
    private final FileSystem fs;
    private String sourceName; // Names' text of the source; made from the path when not given
    private Path source; // made from the name when first asked for
    // The name's bytes and a NUL, made when first asked for; volatile, as an array's elements are not safely
    // published by a plain write (a thread that makes its own meanwhile makes an equal one).
    private volatile byte[] sourceCString;

    private MonitoredFile(String path, Path source, FileSystem fs, String sourceName, Tier tier, boolean resolved) {
        this.path = Objects.requireNonNull(path, "path");
        this.tier = Objects.requireNonNull(tier, "tier");
        this.resolved = resolved;
        this.source = source;
        this.fs = fs;
        this.sourceName = sourceName;
    }

    /** A file read from {@code source}; {@code resolved} as the class comment says. */
    public MonitoredFile(String path, Path source, Tier tier, boolean resolved) {
        this(path, Objects.requireNonNull(source, "source"), source.getFileSystem(), null, tier, resolved);
    }

    /** A file read from {@code source} as given, following any symlink above its last component. */
    public MonitoredFile(String path, Path source, Tier tier) {
        this(path, source, tier, false);
    }

    /** A file read from the source named by {@code sourceName} ({@link Names}' text) on {@code fs}. */
    public static MonitoredFile named(String path, FileSystem fs, String sourceName, Tier tier, boolean resolved) {
        return new MonitoredFile(path, null, Objects.requireNonNull(fs, "fs"),
                Objects.requireNonNull(sourceName, "sourceName"), tier, resolved);
    }

    /** The path as configured. */
    public String path() {
        return path;
    }

    /** Where it is read from. */
    public Path source() {
        Path s = source;
        if (s == null) {
            s = Names.path(fs, sourceName);
            source = s; // a path is immutable: a thread that makes its own meanwhile makes an equal one
        }
        return s;
    }

    /** The source as {@link Names}' text: what {@link Names#of} gives for {@link #source()}. */
    public String sourceName() {
        String n = sourceName;
        if (n == null) {
            n = Names.of(source);
            sourceName = n;
        }
        return n;
    }

    /** The source's bytes, as the kernel takes them ({@link Names#toBytes} of {@link #sourceName()}): a copy. */
    public byte[] sourceBytes() {
        byte[] c = sourceCString();
        return java.util.Arrays.copyOf(c, c.length - 1);
    }

    /**
     * The source's bytes followed by a NUL, as system calls take a path: made once and shared (the native opener
     * passes it to every call it makes for this file), so the caller must not change it.
     */
    public byte[] sourceCString() {
        byte[] c = sourceCString;
        if (c == null) {
            c = Names.toCString(sourceName());
            sourceCString = c;
        }
        return c;
    }

    /** The file system the source is on. */
    public FileSystem fileSystem() {
        return fs;
    }

    public Tier tier() {
        return tier;
    }

    public boolean resolved() {
        return resolved;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MonitoredFile f && f.path.equals(path) && f.tier == tier && f.resolved == resolved
                && f.fs == fs && f.sourceName().equals(sourceName());
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, sourceName(), tier, resolved);
    }

    @Override
    public String toString() {
        return "MonitoredFile[path=" + path + ", source=" + sourceName() + ", tier=" + tier + ", resolved="
                + resolved + "]";
    }
}
