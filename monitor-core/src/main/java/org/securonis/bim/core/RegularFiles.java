package org.securonis.bim.core;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reading the monitor's own files (baseline, watermark, keys, configuration, state) only when each is a regular
 * file: opening a FIFO put in place of one would block until some writer came, and a daemon blocked so (holding
 * its baseline's lock) would alert nothing more while its watchdog still saw it alive. The check is made on the
 * path just before it is opened.
 */
public final class RegularFiles {

    private RegularFiles() {
    }

    /**
     * Refuses {@code file} (symlinks followed, as the open will) when it exists and is no regular file.
     *
     * @throws FileSystemException naming the file and what it is instead
     * @throws java.nio.file.NoSuchFileException when it does not exist
     */
    public static void require(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        if (!a.isRegularFile()) {
            String kind = a.isDirectory() ? "a directory" : a.isSymbolicLink() ? "a symlink" : a.isOther()
                    ? "a FIFO, socket or device" : "not a regular file";
            throw new FileSystemException(file.toString(), null, "is " + kind + ", not a regular file: not read "
                    + "(opening it could block)");
        }
    }

    /** {@link Files#readAllBytes} of a file {@link #require}d to be regular. */
    public static byte[] readAllBytes(Path file) throws IOException {
        require(file);
        return Files.readAllBytes(file);
    }
}
