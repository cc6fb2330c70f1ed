package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.securonis.bim.core.FileOpener;
import org.securonis.bim.core.FileStat;
import org.securonis.bim.core.FileType;

/** The native opener against the JDK's on a real tmpfs: the same stat, the same link targets, the same refusals. */
class NativeOpenerTest {

    private Tmpfs tmp;

    @BeforeEach
    void tree() throws Exception {
        tmp = Tmpfs.create("opener");
    }

    @AfterEach
    void cleanup() throws Exception {
        tmp.close();
    }

    @Test
    void linkTargets_readAsTheJdkReadsThem_soBaselinesFromEitherAgree() throws Exception {
        Files.createDirectories(tmp.root.resolve("dir"));
        FileOpener natives = NativeOpener.best();
        for (String target : new String[] {"dir/", "dir//sub///", "/", "//", "a//b", "plain", "../up/", "x/./y"}) {
            // ln, not the JDK, which would tidy the target up as it makes the link.
            Path link = tmp.root.resolve("l" + Integer.toHexString(target.hashCode()));
            Process ln = new ProcessBuilder("ln", "-s", target, link.toString()).inheritIO().start();
            assertEquals(0, ln.waitFor());
            String jdk;
            try (FileOpener.Entry e = FileOpener.JDK.lookup(link, true)) {
                jdk = e.readLink();
            }
            assertEquals(target, jdk, "the JDK reads a link's bytes untouched");
            try (FileOpener.Entry e = natives.lookup(link, true)) {
                assertEquals(FileType.SYMLINK, e.stat().type());
                assertEquals(jdk, e.readLink(), "target " + target);
            }
        }
    }

    @Test
    void statAndRefusals_areTheJdksToo() throws Exception {
        Path file = Files.writeString(Files.createDirectories(tmp.root.resolve("real")).resolve("f"), "content");
        Path viaLink = Files.createSymbolicLink(tmp.root.resolve("link"), tmp.root.resolve("real")).resolve("f");
        FileOpener natives = NativeOpener.best();
        try (FileOpener.Entry n = natives.lookup(file, true); FileOpener.Entry j = FileOpener.JDK.lookup(file, true)) {
            FileStat a = n.stat();
            FileStat b = j.stat();
            assertEquals(b, a);
        }
        assertThrows(NoSuchFileException.class, () -> natives.lookup(viaLink, true).close());
        assertThrows(NoSuchFileException.class, () -> FileOpener.JDK.lookup(viaLink, true).close());
        // Without the restriction (a path given by hand), a link above the file is gone through, as before.
        try (FileOpener.Entry n = natives.lookup(viaLink, false)) {
            assertEquals(FileType.FILE, n.stat().type());
        }
    }
}
