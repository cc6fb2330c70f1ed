package org.securonis.bim.core;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * How the walk of the monitored set lists a directory: each entry's exact name ({@link Names}' text) and whether it
 * is a directory itself, never following a symlink. The JDK's lister takes one {@code lstat} an entry; the
 * daemon's native one reads the type from the directory records ({@code getdents64}'s {@code d_type}).
 */
public interface DirectoryLister {

    /** Receives the entries of one directory, "." and ".." left out. */
    interface Sink {
        void entry(String name, boolean directory);
    }

    /**
     * Lists {@code dir} (an absolute name in {@link Names}' text) on {@code fs} into {@code sink}.
     *
     * @throws NoSuchFileException                  when the directory is gone
     * @throws java.nio.file.NotDirectoryException when it is no directory (now)
     * @throws IOException                          when it cannot be listed
     */
    void list(FileSystem fs, String dir, Sink sink) throws IOException;

    /** Lists through {@link Files#newDirectoryStream} with one {@code lstat} per entry; works on any file system. */
    DirectoryLister JDK = (fs, dir, sink) -> {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Names.path(fs, dir))) {
            for (Path entry : entries) {
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    continue; // gone since the listing: not there now
                }
                String name = entry.getFileName().toString();
                if (name.indexOf('\uFFFD') >= 0) {
                    // Decoded lossily by the JDK: the kernel's bytes, escaped (see Names).
                    String full = Names.of(entry);
                    name = full.substring(full.lastIndexOf('/') + 1);
                }
                sink.entry(name, a.isDirectory());
            }
        }
    };
}
