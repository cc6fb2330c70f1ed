package org.securonis.bim.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link RegularFile} against the real kernel on a tmpfs. */
class RegularFileTest extends OnTmpfs {

    private static byte[] readAll(RegularFile f, int chunk) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(chunk);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            buf.clear();
            int n = f.read(buf);
            if (n < 0) {
                return out.toByteArray();
            }
            assertEquals(n, buf.position());
            buf.flip();
            byte[] b = new byte[n];
            buf.get(b);
            out.write(b);
        }
    }

    @Test
    void decimal_isTheNumbersDigitsNulTerminated() {
        for (int n : new int[] {0, 7, 9, 10, 99, 100, 1023, 1234567, Integer.MAX_VALUE}) {
            assertArrayEquals((n + "\0").getBytes(StandardCharsets.US_ASCII), RegularFile.decimal(n), "" + n);
        }
    }

    @Test
    void readsARegularFile_andSaysWhatItOpened_asStatDoes() throws Exception {
        Path p = tmpfs.root().resolve("plain");
        byte[] content = new byte[3 * 4096 + 17];
        new java.util.Random(7).nextBytes(content);
        Files.write(p, content);
        try (RegularFile f = RegularFile.open(bytes(p))) {
            assertArrayEquals(content, readAll(f, 4096));
            assertEquals(((Number) Files.getAttribute(p, "unix:ino")).longValue(), f.inode());
            assertEquals(((Number) Files.getAttribute(p, "unix:dev")).longValue(), f.device());
            assertEquals(content.length, f.size());
        }
    }

    @Test
    void readsAtTheBufferPosition() throws Exception {
        Path p = tmpfs.root().resolve("offset");
        Files.writeString(p, "abcdef");
        try (RegularFile f = RegularFile.open(bytes(p))) {
            ByteBuffer buf = ByteBuffer.allocateDirect(16);
            buf.put((byte) 'X');
            assertEquals(6, f.read(buf));
            buf.flip();
            byte[] b = new byte[buf.remaining()];
            buf.get(b);
            assertEquals("Xabcdef", new String(b, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void opensANameThatIsNotUtf8_byItsBytes() throws Exception {
        byte[] dir = bytes(tmpfs.root());
        byte[] name = Alias.join(dir, new byte[] {'n', (byte) 0xff, 'x'});
        Process p = new ProcessBuilder("python3", "-c",
                "import os,sys; open(os.fsencode(sys.argv[1]) + b'/n\\xffx', 'wb').write(b'raw')",
                tmpfs.root().toString()).start();
        assertEquals(0, p.waitFor());
        try (RegularFile f = RegularFile.open(name)) {
            assertArrayEquals("raw".getBytes(StandardCharsets.US_ASCII), readAll(f, 64));
        }
    }

    @Test
    void neverOpensForReading_orBlocksOn_aFifoDeviceSymlinkOrDirectory() throws Exception {
        Path fifo = tmpfs.root().resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Path link = tmpfs.root().resolve("link");
        Files.writeString(tmpfs.root().resolve("target"), "target");
        Files.createSymbolicLink(link, Path.of("target"));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertEquals("fifo", assertThrows(RegularFile.NotRegularException.class,
                    () -> RegularFile.open(bytes(fifo))).type());
            assertEquals("char_device", assertThrows(RegularFile.NotRegularException.class,
                    () -> RegularFile.open("/dev/null".getBytes(StandardCharsets.US_ASCII))).type());
            assertEquals("symlink", assertThrows(RegularFile.NotRegularException.class,
                    () -> RegularFile.open(bytes(link))).type());
            assertEquals("dir", assertThrows(RegularFile.NotRegularException.class,
                    () -> RegularFile.open(bytes(tmpfs.root()))).type());
        });
        NativeException missing = assertThrows(NativeException.class,
                () -> RegularFile.open(bytes(tmpfs.root().resolve("absent"))));
        assertEquals(Errno.ENOENT.number(), missing.errno());
        NativeException notDir = assertThrows(NativeException.class,
                () -> RegularFile.open(bytes(tmpfs.root().resolve("target/below"))));
        assertEquals(Errno.ENOTDIR.number(), notDir.errno());
    }

    @Test
    void readsIntoHeapBuffers_andSetsTheModeOfTheFileOpened_notOfWhatIsAtThePathNow() throws Exception {
        Path p = tmpfs.root().resolve("armed");
        Files.writeString(p, "#!/bin/sh\n");
        Files.setAttribute(p, "unix:mode", 04755);
        Path other = tmpfs.root().resolve("other");
        Files.writeString(other, "other");
        Files.setAttribute(other, "unix:mode", 04755);
        try (RegularFile f = RegularFile.open(bytes(p))) {
            try (java.io.InputStream in = java.nio.channels.Channels.newInputStream(f)) {
                assertEquals("#!/bin/sh\n", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
            }
        }
        try (RegularFile f = RegularFile.open(bytes(p))) {
            Path moved = tmpfs.root().resolve("armed-moved");
            Files.move(p, moved);
            Files.move(other, p);
            f.setMode(0644);
            assertEquals(0644, ((Number) Files.getAttribute(moved, "unix:mode")).intValue() & 07777);
            assertEquals(04755, ((Number) Files.getAttribute(p, "unix:mode")).intValue() & 07777);
        }
    }

    @Test
    void readsIntoTheArrayOfAHeapBuffer_fromItsStart_orThroughItsPosition() throws Exception {
        Path p = tmpfs.root().resolve("heap");
        byte[] content = new byte[(1 << 20) * 2 + 12345];
        new java.util.Random(11).nextBytes(content);
        Files.write(p, content);
        try (RegularFile f = RegularFile.open(bytes(p))) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int n; (n = f.read(buf.clear())) >= 0; ) {
                assertEquals(n, buf.position());
                out.write(buf.array(), 0, n);
            }
            assertArrayEquals(content, out.toByteArray());
        }
        try (RegularFile f = RegularFile.open(bytes(p))) {
            // At a position, and in a slice whose array starts elsewhere: the bytes land where the buffer says.
            ByteBuffer at = ByteBuffer.allocate(64).position(5);
            assertEquals(59, f.read(at));
            assertArrayEquals(java.util.Arrays.copyOf(content, 59), java.util.Arrays.copyOfRange(at.array(), 5, 64));
            ByteBuffer slice = ByteBuffer.allocate(64).position(10).slice();
            assertEquals(54, f.read(slice));
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 59, 113),
                    java.util.Arrays.copyOfRange(slice.array(), 10, 64));
        }
    }

    @Test
    void readsTheCapabilityOfTheFileOpened_asThePathHandleDoes() throws Exception {
        Path p = tmpfs.root().resolve("capable");
        Files.writeString(p, "x");
        try (RegularFile f = RegularFile.open(bytes(p))) {
            assertArrayEquals(new byte[0], f.capability(), "none yet");
        }
        // setcap cap_setuid+ep, as python writes it (VFS_CAP_REVISION_2, effective, permitted bit 7).
        Process py = new ProcessBuilder("python3", "-c", "import os,sys; os.setxattr(sys.argv[1], 'security.capability', "
                + "bytes.fromhex('0100000280000000000000000000000000000000'))", p.toString())
                .redirectErrorStream(true).start();
        assertEquals(0, py.waitFor(), new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        byte[] expected = java.util.HexFormat.of().parseHex("0100000280000000000000000000000000000000");
        try (PathHandle h = PathHandle.open(bytes(p), true); RegularFile f = h.openRegular()) {
            assertArrayEquals(expected, h.capability());
            assertArrayEquals(expected, f.capability());
        }
    }

    @Test
    void leavesNoDescriptorBehind() throws Exception {
        Path p = tmpfs.root().resolve("fds");
        Files.writeString(p, "x");
        long before = -1;
        for (int i = 0; i < 500; i++) {
            if (i == 1) {
                before = openDescriptors();
            }
            try (RegularFile f = RegularFile.open(bytes(p))) {
                f.read(ByteBuffer.allocateDirect(8));
            }
            assertThrows(RegularFile.NotRegularException.class, () -> RegularFile.open(bytes(tmpfs.root())));
        }
        assertEquals(before, openDescriptors());
    }

    private static long openDescriptors() throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
