package org.securonis.bim.linux;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * One thing the kernel told us about a path under a watched directory, with the path under the
 * name the user configured; immutable, created on the reader thread, safe to hand to any thread.
 *
 * <p>For a directory, DELETE, MOVED and MOVED_FROM mean everything below the old path is gone;
 * after CREATE, MOVED and MOVED_TO of a directory inside a recursive watch, what is already in it
 * follows as CREATE events. {@code rawPath} carries the exact bytes of {@code path} (the configured
 * root's UTF-8 bytes plus the kernel's name bytes), because {@code path} was decoded as UTF-8 and
 * a name that is not valid UTF-8 shows U+FFFD there.
 *
 * @param kind       what happened
 * @param path       the path it happened to; null only for OVERFLOW and FATAL
 * @param oldPath    the path before the move, for MOVED; null otherwise
 * @param directory  true when the path is (or was) a directory
 * @param message    the reason, for WATCH_FAILED, WATCH_LOST, OVERFLOW and FATAL; "" otherwise
 * @param rawPath    the bytes of path (empty when path is null)
 * @param rawOldPath the bytes of oldPath (empty when oldPath is null)
 */
public record WatchEvent(Kind kind, Path path, Path oldPath, boolean directory, String message,
        byte[] rawPath, byte[] rawOldPath) {

    /** What happened; every kind but the last four names a change to verify at {@code path}. */
    public enum Kind {
        /** A file opened for writing was closed. */
        CLOSE_WRITE,
        /** Content was written (more may follow before CLOSE_WRITE). */
        MODIFY,
        /** Mode, owner, timestamps, link count or extended attributes (capabilities) changed. */
        ATTRIB,
        /** An entry appeared, or was found by the scan of a newly watched directory. */
        CREATE,
        /** An entry was removed. */
        DELETE,
        /** An entry was renamed from {@code oldPath} to {@code path}, both under watched directories. */
        MOVED,
        /** An entry was renamed away to a place we do not watch: it is gone from {@code path}. */
        MOVED_FROM,
        /** An entry was renamed in from a place we do not watch (including a rename over {@code path}). */
        MOVED_TO,
        /** The kernel dropped events: sweep everything. Missed subdirectories are watched before this is sent. */
        OVERFLOW,
        /** A watched root directory was deleted, moved or unmounted: sweep it; {@code rewatch()} once it is back. */
        WATCH_LOST,
        /** A directory could not be watched ({@code message} says why and what to raise): only sweeps cover it. */
        WATCH_FAILED,
        /** The reader thread died ({@code message} says why); no further events will come. */
        FATAL
    }

    public WatchEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
        if (path == null && kind != Kind.OVERFLOW && kind != Kind.FATAL) {
            throw new IllegalArgumentException("a " + kind + " event needs a path");
        }
        if ((oldPath != null) != (kind == Kind.MOVED)) {
            throw new IllegalArgumentException("oldPath (" + oldPath + ") is set exactly for MOVED, not " + kind);
        }
        rawPath = rawPath.clone();
        rawOldPath = rawOldPath.clone();
    }

    /** An event about {@code path} (raw bytes {@code raw}) with no old path and no message. */
    static WatchEvent of(Kind kind, Path path, byte[] raw, boolean directory) {
        return new WatchEvent(kind, path, null, directory, "", raw, new byte[0]);
    }

    /** A rename from {@code oldPath} to {@code path}. */
    static WatchEvent moved(Path oldPath, byte[] rawOld, Path path, byte[] raw, boolean directory) {
        return new WatchEvent(Kind.MOVED, path, oldPath, directory, "", raw, rawOld);
    }

    /** A WATCH_FAILED or WATCH_LOST event for directory {@code path}. */
    static WatchEvent trouble(Kind kind, Path path, byte[] raw, String message) {
        return new WatchEvent(kind, path, null, true, message, raw, new byte[0]);
    }

    /** An OVERFLOW or FATAL event, which concerns no single path. */
    static WatchEvent global(Kind kind, String message) {
        return new WatchEvent(kind, null, null, false, message, new byte[0], new byte[0]);
    }

    @Override
    public byte[] rawPath() {
        return rawPath.clone();
    }

    @Override
    public byte[] rawOldPath() {
        return rawOldPath.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WatchEvent e && e.kind == kind && Objects.equals(e.path, path)
                && Objects.equals(e.oldPath, oldPath) && e.directory == directory && e.message.equals(message)
                && Arrays.equals(e.rawPath, rawPath) && Arrays.equals(e.rawOldPath, rawOldPath);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, path, oldPath, directory, message) * 31 + Arrays.hashCode(rawPath);
    }

    @Override
    public String toString() {
        return "WatchEvent[" + kind + (directory ? " dir " : " ") + (oldPath == null ? "" : oldPath + " -> ")
                + (path == null ? "" : path) + (message.isEmpty() ? "" : ": " + message) + "]";
    }
}
