package org.securonis.bim.daemon;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.securonis.bim.core.FileOpener;
import org.securonis.bim.core.FileStat;
import org.securonis.bim.core.MonitoredFile;
import org.securonis.bim.core.Names;
import org.securonis.bim.linux.NativeException;
import org.securonis.bim.linux.PathHandle;
import org.securonis.bim.linux.RegularFile;

/**
 * The inspector's opener on Linux: {@link RegularFile} by the path's exact bytes, so that a FIFO or device swapped
 * in after the {@code lstat} is never opened for reading, and the identity of what is hashed is known.
 */
final class NativeOpener implements FileOpener {

    private static final int ENOENT = 2;
    private static final int EPERM = 1;
    private static final int EACCES = 13;
    private static final int ENOTDIR = 20;
    private static final int ELOOP = 40;
    private static volatile FileOpener best;

    private NativeOpener() {
    }

    /** The native opener, or the JDK's where the native binding cannot load here (said once, on stderr and in the log). */
    static FileOpener best() {
        FileOpener b = best;
        return b != null ? b : decide();
    }

    // Once, under a lock: the thread that binds early (Main) and the command's own would otherwise both fail and
    // both warn where the binding cannot load.
    private static synchronized FileOpener decide() {
        FileOpener b = best;
        if (b == null) {
            try {
                // Any path will do to load the binding; "/" is a directory, so this fails cleanly.
                RegularFile.open(new byte[] {'/'}).close();
                b = new NativeOpener();
            } catch (RegularFile.NotRegularException expected) {
                b = new NativeOpener();
            } catch (IOException | LinkageError | RuntimeException e) {
                // The logger only here: starting log4j costs a one-shot command a few hundred milliseconds.
                LogManager.getLogger(NativeOpener.class).warn("native file opening unavailable ({}); files are opened through the JDK", e.toString());
                b = FileOpener.JDK;
            }
            best = b;
        }
        return b;
    }

    @Override
    public Entry lookup(Path source, boolean noLinks) throws IOException {
        if (source.getFileSystem() != FileSystems.getDefault()) {
            return FileOpener.jdkLookup(this, source, noLinks);
        }
        String name = Names.of(source);
        return lookup(name, Names.toCString(name), noLinks);
    }

    @Override
    public Entry lookup(MonitoredFile file) throws IOException {
        if (file.fileSystem() != FileSystems.getDefault()) {
            return FileOpener.jdkLookup(this, file.source(), file.resolved());
        }
        return lookup(file.sourceName(), file.sourceCString(), file.resolved());
    }

    @Override
    public FileStat restat(MonitoredFile file) throws IOException {
        return file.fileSystem() != FileSystems.getDefault() ? FileOpener.super.restat(file.source())
                : restat(file.sourceName(), file.sourceCString());
    }

    /** Looks up the exact name {@code name} (Names' text), whose bytes and a NUL are {@code cPath}. */
    private Entry lookup(String name, byte[] cPath, boolean noLinks) throws IOException {
        PathHandle h;
        try {
            h = PathHandle.openTerminated(cPath, noLinks);
        } catch (NativeException e) {
            if (e.errno() == ELOOP) {
                // A directory on the way is a symlink now: what was recorded there is not there.
                throw new NoSuchFileException(name, null, "reached through a symlink");
            }
            throw translate(name, e);
        }
        boolean held = false;
        try {
            HeldEntry entry = new HeldEntry(h, name, stat(h.stat()));
            held = true;
            return entry;
        } catch (NativeException e) {
            throw translate(name, e);
        } finally {
            if (!held) {
                h.close();
            }
        }
    }

    @Override
    public FileStat restat(Path source) throws IOException {
        if (source.getFileSystem() != FileSystems.getDefault()) {
            return FileOpener.super.restat(source);
        }
        String name = Names.of(source);
        return restat(name, Names.toCString(name));
    }

    private FileStat restat(String name, byte[] cPath) throws IOException {
        try {
            return stat(PathHandle.lstatTerminated(cPath));
        } catch (NativeException e) {
            throw translate(name, e);
        }
    }

    private static FileStat stat(PathHandle.Stat st) {
        return FileStat.ofRawMode(st.mode(), st.uid(), st.gid(), st.nlink(), st.size(), st.inode(), st.device(),
                st.mtimeSeconds(), st.mtimeNanos(), st.ctimeSeconds(), st.ctimeNanos());
    }

    /** An entry holding the inode looked up: its link and its bytes are that inode's, not the path's now. */
    private static final class HeldEntry implements Entry {
        private final PathHandle handle;
        private final String name;
        private final FileStat stat;
        /** The capability read from the last descriptor opened for reading (fgetxattr), or null. */
        private byte[] openedCapability;

        HeldEntry(PathHandle handle, String name, FileStat stat) {
            this.handle = handle;
            this.name = name;
            this.stat = stat;
        }

        @Override
        public FileStat stat() {
            return stat;
        }

        @Override
        public String readLink() throws IOException {
            try {
                // Exactly the link's bytes, as the JDK's readSymbolicLink gives them too ("dir/" stays "dir/").
                return Names.fromBytes(handle.readLink());
            } catch (NativeException e) {
                throw translate(name, e);
            }
        }

        @Override
        public Opened open() throws IOException {
            RegularFile f;
            try {
                f = handle.openRegular();
            } catch (RegularFile.NotRegularException e) {
                throw new ChangedException(Names.escape(name) + " is a " + e.type() + ", not the regular file seen");
            } catch (NativeException e) {
                throw translate(name, e);
            }
            // Read while the file is open for reading: one call on that descriptor, not a lookup through /proc.
            openedCapability = f.capability();
            return FileOpener.of(f, f.inode(), f.device(), f::setMode);
        }

        @Override
        public String capability() {
            byte[] cap = openedCapability != null ? openedCapability : handle.capability();
            return cap == null ? null : java.util.HexFormat.of().formatHex(cap);
        }

        @Override
        public void close() throws IOException {
            handle.close();
        }
    }

    /** The JDK's exception for a failed native call on {@code name}: what the JDK itself would have thrown. */
    static IOException translate(String name, NativeException e) {
        return switch (e.errno()) {
            case ENOENT -> new NoSuchFileException(name);
            case ENOTDIR -> new NotDirectoryException(name);
            case EACCES, EPERM -> new AccessDeniedException(name);
            default -> new FileSystemException(name, null, e.getMessage());
        };
    }

    @Override
    public Opened open(Path source) throws IOException {
        if (source.getFileSystem() != FileSystems.getDefault()) {
            return JDK.open(source);
        }
        String name = Names.of(source);
        RegularFile f;
        try {
            f = RegularFile.open(Names.toBytes(name));
        } catch (RegularFile.NotRegularException e) {
            throw new ChangedException(Names.escape(name) + " is a " + e.type() + " now, not the regular file seen");
        } catch (NativeException e) {
            throw translate(name, e);
        }
        return FileOpener.of(f, f.inode(), f.device(), f::setMode);
    }
}
