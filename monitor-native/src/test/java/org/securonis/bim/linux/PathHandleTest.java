package org.securonis.bim.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link PathHandle} against the real kernel on a tmpfs, through openat2 and through the component walk. */
class PathHandleTest extends OnTmpfs {

    @AfterEach
    void restore() {
        PathHandle.disableOpenat2ForTest(false);
    }

    private static Path fresh(String name) throws Exception {
        return Files.createDirectories(tmpfs.root().resolve(name));
    }

    @ParameterizedTest(name = "component walk: {0}")
    @ValueSource(booleans = {false, true})
    void aTerminatedPath_isUsedAsItIs_andOneWithoutItsNulIsRefused(boolean walk) throws Exception {
        PathHandle.disableOpenat2ForTest(walk);
        Path file = Files.write(fresh("terminated-" + walk).resolve("f"), new byte[77]);
        byte[] c = java.util.Arrays.copyOf(bytes(file), bytes(file).length + 1);
        byte[] before = c.clone();
        try (PathHandle h = PathHandle.openTerminated(c, true); RegularFile f = h.openRegular()) {
            assertEquals(77, h.stat().size());
            assertEquals(77, f.size());
        }
        assertEquals(77, PathHandle.lstatTerminated(c).size());
        assertArrayEquals(before, c, "the caller's array is left as it was");
        assertThrows(IllegalArgumentException.class, () -> PathHandle.openTerminated(bytes(file), true));
        assertThrows(IllegalArgumentException.class, () -> PathHandle.lstatTerminated(bytes(file)));
        NativeException e = assertThrows(NativeException.class, () -> PathHandle.lstatTerminated(
                java.util.Arrays.copyOf(bytes(file.resolveSibling("none")), bytes(file.resolveSibling("none")).length + 1)));
        assertTrue(e.getMessage().contains("(" + file.resolveSibling("none") + ")") && !e.getMessage().contains("\0"),
                "the path in the message, without its NUL: " + e.getMessage());
    }

    @ParameterizedTest(name = "component walk: {0}")
    @ValueSource(booleans = {false, true})
    void statIsWhatLstatSays_forAFileADirectoryAndALink(boolean walk) throws Exception {
        PathHandle.disableOpenat2ForTest(walk);
        Path dir = fresh("stat-" + walk);
        Path file = Files.write(dir.resolve("f"), new byte[1234]);
        Path link = Files.createSymbolicLink(dir.resolve("l"), Path.of("f"));
        for (Path p : new Path[] {file, dir, link}) {
            Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
            try (PathHandle h = PathHandle.open(bytes(p), true)) {
                PathHandle.Stat s = h.stat();
                assertEquals(((Number) a.get("mode")).intValue(), s.mode(), p.toString());
                assertEquals(((Number) a.get("ino")).longValue(), s.inode());
                assertEquals(((Number) a.get("dev")).longValue(), s.device());
                assertEquals(((Number) a.get("nlink")).intValue(), s.nlink());
                assertEquals(((Number) a.get("uid")).intValue(), s.uid());
                assertEquals(((Number) a.get("gid")).intValue(), s.gid());
                FileTime m = (FileTime) a.get("lastModifiedTime");
                assertEquals(m.toInstant().getEpochSecond(), s.mtimeSeconds());
                assertEquals(m.toInstant().getNano(), s.mtimeNanos());
                FileTime c = (FileTime) a.get("ctime");
                assertEquals(c.toInstant().getEpochSecond(), s.ctimeSeconds());
                assertEquals(c.toInstant().getNano(), s.ctimeNanos());
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    assertEquals(((Number) a.get("size")).longValue(), s.size());
                }
            }
        }
        try (PathHandle h = PathHandle.open(bytes(link), true)) {
            assertTrue(h.stat().isSymlink(), "the last component's link is the link itself");
            assertArrayEquals("f".getBytes(StandardCharsets.US_ASCII), h.readLink());
        }
    }

    @ParameterizedTest(name = "component walk: {0}")
    @ValueSource(booleans = {false, true})
    void aSymlinkAboveTheLastComponent_isRefusedWithEloop_andNotGoneThrough(boolean walk) throws Exception {
        PathHandle.disableOpenat2ForTest(walk);
        Path dir = fresh("eloop-" + walk);
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.write(elsewhere.resolve("tool"), "outside".getBytes(StandardCharsets.US_ASCII));
        Path sub = Files.createSymbolicLink(dir.resolve("sub"), elsewhere);
        NativeException e = assertThrows(NativeException.class,
                () -> PathHandle.open(bytes(sub.resolve("tool")), true));
        assertEquals(Errno.ELOOP.number(), e.errno());
        // Without the restriction only the last component is not followed: the old behaviour, still there for
        // callers that pass a configured path through a symlinked root.
        try (PathHandle h = PathHandle.open(bytes(sub.resolve("tool")), false)) {
            assertTrue(h.stat().isRegular());
        }
        NativeException missing = assertThrows(NativeException.class,
                () -> PathHandle.open(bytes(dir.resolve("none/tool")), true));
        assertEquals(Errno.ENOENT.number(), missing.errno());
        Path plain = Files.write(dir.resolve("plain"), new byte[1]);
        NativeException notDir = assertThrows(NativeException.class,
                () -> PathHandle.open(bytes(plain.resolve("x")), true));
        assertEquals(Errno.ENOTDIR.number(), notDir.errno());
    }

    @ParameterizedTest(name = "component walk: {0}")
    @ValueSource(booleans = {false, true})
    void readsTheInodeItLookedUp_evenAfterTheNameIsReplaced(boolean walk) throws Exception {
        PathHandle.disableOpenat2ForTest(walk);
        Path dir = fresh("replace-" + walk);
        Path p = Files.write(dir.resolve("f"), "first".getBytes(StandardCharsets.US_ASCII));
        try (PathHandle h = PathHandle.open(bytes(p), true)) {
            Path other = Files.write(dir.resolve("g"), "second".getBytes(StandardCharsets.US_ASCII));
            Files.move(other, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try (RegularFile f = h.openRegular()) {
                ByteBuffer buf = ByteBuffer.allocateDirect(64);
                int n = f.read(buf);
                assertEquals("first", new String(bytes(buf.flip(), n), StandardCharsets.US_ASCII));
            }
        }
        Path fifo = dir.resolve("fifo");
        new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor();
        try (PathHandle h = PathHandle.open(bytes(fifo), true)) {
            RegularFile.NotRegularException e = assertThrows(RegularFile.NotRegularException.class, h::openRegular);
            assertEquals("fifo", e.type());
        }
    }

    private static byte[] bytes(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }
}
