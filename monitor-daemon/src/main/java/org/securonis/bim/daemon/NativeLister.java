package org.securonis.bim.daemon;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.NotDirectoryException;
import org.securonis.bim.core.DirectoryLister;
import org.securonis.bim.core.Names;
import org.securonis.bim.linux.DirectoryReader;
import org.securonis.bim.linux.NativeException;

/**
 * The walk's lister on Linux: {@link DirectoryReader}, the entry types read from the directory records, so a walk of
 * /usr/lib costs a call per few hundred names instead of an {@code lstat} each. Other file systems (a test's
 * in-memory one), and a JVM where the native binding does not load, list through the JDK.
 */
final class NativeLister implements DirectoryLister {

    private static final int ELOOP = 40;

    private NativeLister() {
    }

    /** The native lister where the native binding loads (as {@link NativeOpener#best()} finds), else the JDK's. */
    static DirectoryLister best() {
        return NativeOpener.best() == org.securonis.bim.core.FileOpener.JDK ? DirectoryLister.JDK : new NativeLister();
    }

    @Override
    public void list(FileSystem fs, String dir, Sink sink) throws IOException {
        if (fs != FileSystems.getDefault()) {
            JDK.list(fs, dir, sink);
            return;
        }
        try {
            DirectoryReader.list(Names.toBytes(dir), (name, directory) -> sink.entry(Names.fromBytes(name), directory));
        } catch (NativeException e) {
            // A directory replaced by a symlink since it was seen (ENOTDIR or ELOOP): what was below it is not there.
            throw e.errno() == ELOOP ? new NotDirectoryException(dir) : NativeOpener.translate(dir, e);
        }
    }
}
