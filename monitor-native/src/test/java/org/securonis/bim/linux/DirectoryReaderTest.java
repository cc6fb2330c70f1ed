package org.securonis.bim.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DirectoryReaderTest extends OnTmpfs {

    private static Map<String, Boolean> list(Path dir) throws NativeException {
        Map<String, Boolean> out = new TreeMap<>();
        DirectoryReader.list(bytes(dir), (name, directory) -> {
            if (out.put(new String(name, StandardCharsets.ISO_8859_1), directory) != null) {
                throw new AssertionError("listed twice: " + new String(name, StandardCharsets.ISO_8859_1));
            }
        });
        return out;
    }

    @Test
    void listsEveryEntryWithItsType_neverFollowingALink_andNotDotOrDotDot() throws Exception {
        Path dir = Files.createDirectory(tmpfs.root().resolve("types"));
        Files.writeString(dir.resolve("file"), "x");
        Files.createDirectory(dir.resolve("sub"));
        Files.createSymbolicLink(dir.resolve("link-to-dir"), dir.resolve("sub"));
        Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
        assertEquals(true, TmpfsFixture.run("mkfifo", dir.resolve("fifo").toString()));
        Files.writeString(dir.resolve(".hidden"), "x");
        assertEquals(Map.of("file", false, "sub", true, "link-to-dir", false, "dangling", false, "fifo", false,
                ".hidden", false), list(dir));
        assertEquals(Map.of(), list(dir.resolve("sub")));
    }

    @Test
    void aNameThatIsNotUtf8_comesAsItsExactBytes() throws Exception {
        Path dir = Files.createDirectory(tmpfs.root().resolve("bytes"));
        byte[] raw = {'a', (byte) 0xff, 'b', '\n'};
        Process p = new ProcessBuilder("python3", "-c", "import os,sys; open(os.path.join(sys.argv[1].encode(), "
                + "b'a\\xffb\\n'), 'w').close()", dir.toString()).redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(Map.of(new String(raw, StandardCharsets.ISO_8859_1), false), list(dir));
    }

    @Test
    void aDirectoryOfThousands_needsManyCalls_andLosesNone() throws Exception {
        Path dir = Files.createDirectory(tmpfs.root().resolve("many"));
        for (int i = 0; i < 5000; i++) {
            Files.writeString(dir.resolve("entry-with-a-long-name-to-fill-the-records-" + i), "");
        }
        Map<String, Boolean> listed = list(dir);
        assertEquals(5000, listed.size());
        assertEquals(false, listed.get("entry-with-a-long-name-to-fill-the-records-4999"));
    }

    @Test
    void refusesAMissingDirectory_aFile_andASymlinkInPlaceOfTheDirectory() throws Exception {
        Path dir = Files.createDirectory(tmpfs.root().resolve("refusals"));
        Files.writeString(dir.resolve("file"), "x");
        Files.createDirectory(dir.resolve("real"));
        Files.writeString(dir.resolve("real/inside"), "x");
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));
        assertEquals(Errno.ENOENT.number(), assertThrows(NativeException.class, () -> list(dir.resolve("gone"))).errno());
        assertEquals(Errno.ENOTDIR.number(), assertThrows(NativeException.class, () -> list(dir.resolve("file"))).errno());
        // O_DIRECTORY|O_NOFOLLOW: the kernel says ENOTDIR for a link, even to a directory (ELOOP where it checks the link first).
        int link = assertThrows(NativeException.class, () -> list(dir.resolve("link"))).errno();
        assertTrue(link == Errno.ENOTDIR.number() || link == Errno.ELOOP.number(), "errno " + link);
    }
}
