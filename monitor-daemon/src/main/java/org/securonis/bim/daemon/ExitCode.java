package org.securonis.bim.daemon;

import java.util.Collection;
import org.securonis.bim.core.Finding;

/** The exit codes of every command (AIDE's convention for {@code check}). */
final class ExitCode {

    static final int OK = 0;
    static final int ADDED = 1;
    static final int REMOVED = 2;
    static final int CHANGED = 4;
    static final int WRITE_ERROR = 14;
    static final int INVALID_ARGUMENT = 15;
    static final int CONFIG_ERROR = 17;
    static final int IO_ERROR = 18;

    private ExitCode() {
    }

    /** The sum of 1 added, 2 removed, 4 changed over the findings; a move is a removal plus an addition. */
    static int of(Collection<Finding> findings) {
        int code = 0;
        for (Finding f : findings) {
            code |= switch (f.action()) {
                case CREATED -> ADDED;
                case DELETED -> REMOVED;
                case MOVED -> ADDED | REMOVED;
                default -> CHANGED;
            };
        }
        return code;
    }
}
