package org.securonis.bim.linux;

import java.util.ArrayList;
import java.util.List;

/**
 * One inotify watch: its descriptor, the real path it was added by, and every alias it is
 * reported under; mutable, touched only by the reader thread.
 */
final class Watch {
    private final int wd;
    private final byte[] nativePath;
    private final List<Alias> aliases = new ArrayList<>();

    Watch(int wd, byte[] nativePath) {
        this.wd = wd;
        this.nativePath = nativePath.clone();
    }

    int wd() {
        return wd;
    }

    /** The real (symlink-free) path bytes used for system calls on this directory. */
    byte[] nativePath() {
        return nativePath.clone();
    }

    /** The live list of aliases; the reader thread edits it in place. */
    List<Alias> aliases() {
        return aliases;
    }

    /** Adds {@code alias} unless the same name for the same spec is already here. */
    void addAlias(Alias alias) {
        for (Alias a : aliases) {
            if (a.sameAs(alias)) {
                return;
            }
        }
        aliases.add(alias);
    }

    /** The aliases whose spec watches subdirectories. */
    List<Alias> recursiveAliases() {
        List<Alias> result = new ArrayList<>();
        for (Alias a : aliases) {
            if (a.spec().recursive()) {
                result.add(a);
            }
        }
        return result;
    }
}
