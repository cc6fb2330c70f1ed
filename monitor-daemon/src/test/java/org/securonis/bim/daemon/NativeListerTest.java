package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.securonis.bim.core.Config;
import org.securonis.bim.core.DirectoryLister;
import org.securonis.bim.core.MonitoredFile;
import org.securonis.bim.core.MonitoredSet;
import org.securonis.bim.core.Names;

/** The walk through the native lister against the JDK's on a real tmpfs: the same members, by the same names. */
class NativeListerTest {

    private Tmpfs tmp;

    @BeforeEach
    void tree() throws Exception {
        tmp = Tmpfs.create("lister");
    }

    @AfterEach
    void cleanup() throws Exception {
        tmp.close();
    }

    private Map<String, String> members(Config.Binaries binaries, DirectoryLister lister) {
        MonitoredSet set = MonitoredSet.resolve(binaries, FileSystems.getDefault(), lister);
        Map<String, String> out = new TreeMap<>();
        for (MonitoredFile f : set.files().values()) {
            out.put(f.path(), f.tier() + " " + Names.of(f.source()));
        }
        return out;
    }

    @Test
    void aMessyTree_resolvesExactlyAsThroughTheJdk() throws Exception {
        Path usr = Files.createDirectories(tmp.root.resolve("usr/lib/x86_64-linux-gnu/security"));
        Files.writeString(tmp.root.resolve("usr/lib/libc.so.6"), "libc");
        Files.createSymbolicLink(tmp.root.resolve("usr/lib/libc.so"), Path.of("libc.so.6"));
        Files.writeString(usr.resolve("pam_unix.so"), "pam");
        Files.writeString(usr.resolve(".hidden"), "planted");
        Files.createDirectories(tmp.root.resolve("elsewhere/deep"));
        Files.writeString(tmp.root.resolve("elsewhere/deep/outside"), "not ours");
        // A link to a directory is a member of its own, never walked into.
        Files.createSymbolicLink(tmp.root.resolve("usr/lib/escape"), tmp.root.resolve("elsewhere"));
        assertTrue(mkfifo(tmp.root.resolve("usr/lib/fifo")));
        Tmpfs.python(tmp.root, "import os,sys; open(os.fsencode(sys.argv[1]) + b'/usr/lib/bad\\xffname', 'w').close()");
        Files.createSymbolicLink(tmp.root.resolve("lib"), Path.of("usr/lib"));
        String root = tmp.root.toString();
        Config.Binaries binaries = new Config.Binaries(List.of(root + "/lib/libc.so.6"),
                List.of(root + "/usr/lib/**"), true, List.of(root + "/lib/x86_64-linux-gnu/*/pam_*.so"),
                List.of(root + "/usr/lib/**/.hidden"));

        Map<String, String> jdk = members(binaries, DirectoryLister.JDK);
        DirectoryLister natives = NativeLister.best();
        assertNotEquals(DirectoryLister.JDK, natives, "the native binding loads here");
        assertEquals(jdk, members(binaries, natives));
        assertEquals("CRITICAL " + root + "/usr/lib/libc.so.6", jdk.get(root + "/lib/libc.so.6"));
        assertEquals("LIBRARY " + root + "/usr/lib/x86_64-linux-gnu/security/pam_unix.so",
                jdk.get(root + "/lib/x86_64-linux-gnu/security/pam_unix.so"));
        assertTrue(jdk.containsKey(root + "/usr/lib/escape"));
        assertTrue(jdk.containsKey(root + "/usr/lib/fifo"));
        assertTrue(jdk.containsKey(root + "/usr/lib/bad\uDCFFname"), jdk.keySet().toString());
        assertTrue(jdk.keySet().stream().noneMatch(p -> p.contains("outside") || p.contains(".hidden")), jdk.toString());
    }

    @Test
    void aDirectoryThatCannotBeListed_isAWarning_andTheWalkGoesOn() throws Exception {
        Files.createDirectories(tmp.root.resolve("bin/locked"));
        Files.writeString(tmp.root.resolve("bin/tool"), "tool");
        Config.Binaries binaries = new Config.Binaries(List.of(), List.of(tmp.root + "/bin/**"), false, List.of(),
                List.of());
        // Root lists any directory here, so the refusal is the lister's own.
        MonitoredSet set = MonitoredSet.resolve(binaries, FileSystems.getDefault(), (fs, dir, sink) -> {
            if (dir.endsWith("/locked")) {
                throw new java.nio.file.AccessDeniedException(dir);
            }
            NativeLister.best().list(fs, dir, sink);
        });
        assertEquals(List.of(tmp.root + "/bin/tool"), List.copyOf(set.files().keySet()));
        assertEquals(List.of(tmp.root + "/bin/locked: cannot list: permission denied"), set.warnings());
    }

    private static boolean mkfifo(Path p) throws Exception {
        return new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor() == 0;
    }
}
