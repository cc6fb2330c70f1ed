package org.securonis.bim.daemon;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.securonis.bim.core.FileOpener;
import org.securonis.bim.core.Names;
import org.securonis.bim.linux.NativeException;
import org.securonis.bim.linux.RegularFile;

/**
 * The inspector's opener on Linux: {@link RegularFile} by the path's exact bytes, so that a FIFO or device swapped
 * in after the {@code lstat} is never opened for reading, and the identity of what is hashed is known.
 */
final class NativeOpener implements FileOpener {

    private static final Logger LOG = LogManager.getLogger(NativeOpener.class);
    private static final int ENOENT = 2;
    private static final int EPERM = 1;
    private static final int EACCES = 13;
    private static final int ENOTDIR = 20;
    private static volatile FileOpener best;

    private NativeOpener() {
    }

    /** The native opener, or the JDK's where the native binding cannot load here (said once, on stderr and in the log). */
    static FileOpener best() {
        FileOpener b = best;
        if (b == null) {
            try {
                // Any path will do to load the binding; "/" is a directory, so this fails cleanly.
                RegularFile.open(new byte[] {'/'}).close();
                b = new NativeOpener();
            } catch (RegularFile.NotRegularException expected) {
                b = new NativeOpener();
            } catch (IOException | LinkageError | RuntimeException e) {
                LOG.warn("native file opening unavailable ({}); files are opened through the JDK", e.toString());
                b = FileOpener.JDK;
            }
            best = b;
        }
        return b;
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
            switch (e.errno()) {
                case ENOENT -> throw new NoSuchFileException(name);
                case ENOTDIR -> throw new NotDirectoryException(name);
                case EACCES, EPERM -> throw new AccessDeniedException(name);
                default -> throw new FileSystemException(name, null, e.getMessage());
            }
        }
        return FileOpener.of(f, f.inode(), f.device(), f::setMode);
    }
}
