package org.securonis.bim.linux;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One name under which a watched directory is reported: the spec it serves, the reported path
 * and its exact bytes, and whether it is that spec's root; immutable.
 */
final class Alias {
    private final WatchSpec spec;
    private final Path dir;
    private final byte[] raw;
    private final boolean root;

    private Alias(WatchSpec spec, Path dir, byte[] raw, boolean root) {
        this.spec = spec;
        this.dir = dir;
        this.raw = raw;
        this.root = root;
    }

    /** The root alias of a spec: its configured path, whose text came from the configuration and is valid UTF-8. */
    static Alias rootOf(WatchSpec spec) {
        Path dir = spec.configured();
        return new Alias(spec, dir, dir.toString().getBytes(StandardCharsets.UTF_8), true);
    }

    /** The alias of entry {@code name} (raw kernel bytes) inside this directory. */
    Alias child(byte[] name) {
        return new Alias(spec, childPath(name), childRaw(name), false);
    }

    /** The reported path of entry {@code name} inside this directory; the bytes are decoded as UTF-8. */
    Path childPath(byte[] name) {
        return dir.resolve(new String(name, StandardCharsets.UTF_8));
    }

    /** The exact bytes of the path of entry {@code name} inside this directory. */
    byte[] childRaw(byte[] name) {
        return join(raw, name);
    }

    WatchSpec spec() {
        return spec;
    }

    Path dir() {
        return dir;
    }

    byte[] raw() {
        return raw.clone();
    }

    boolean root() {
        return root;
    }

    /** True when this alias is {@code prefix} itself or lies below it. */
    boolean isAtOrBelow(byte[] prefix) {
        if (raw.length < prefix.length || !Arrays.equals(raw, 0, prefix.length, prefix, 0, prefix.length)) {
            return false;
        }
        return raw.length == prefix.length || raw[prefix.length] == '/';
    }

    /** True when both aliases report the same bytes for the same spec. */
    boolean sameAs(Alias other) {
        return spec.equals(other.spec) && Arrays.equals(raw, other.raw);
    }

    /** {@code parent + "/" + name} as bytes. */
    static byte[] join(byte[] parent, byte[] name) {
        int slash = parent.length > 0 && parent[parent.length - 1] == '/' ? 0 : 1;
        byte[] joined = Arrays.copyOf(parent, parent.length + slash + name.length);
        if (slash == 1) {
            joined[parent.length] = '/';
        }
        System.arraycopy(name, 0, joined, parent.length + slash, name.length);
        return joined;
    }

    @Override
    public String toString() {
        return (root ? "root " : "") + dir + " for " + spec;
    }
}
