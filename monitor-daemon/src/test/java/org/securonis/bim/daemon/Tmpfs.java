package org.securonis.bim.daemon;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A scratch tree on a tmpfs that the test mounts itself (we are root in CI), or, where mounting is not
 * permitted, a fresh directory under /dev/shm. Closing unmounts or deletes it.
 */
final class Tmpfs implements AutoCloseable {

    final Path root;
    private final boolean mounted;

    private Tmpfs(Path root, boolean mounted) {
        this.root = root;
        this.mounted = mounted;
    }

    /**
     * Runs a Python 3 script with {@code dir} as its argument: for trees that Java cannot make, such as names that
     * are not valid UTF-8 ({@code os.fsencode(sys.argv[1]) + b'/a\\xffb'}).
     */
    static void python(Path dir, String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "-c", script, dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("python3 failed: " + out);
        }
    }

    static Tmpfs create(String name) throws IOException, InterruptedException {
        return create(name, 256);
    }

    /** A tmpfs of {@code megabytes} (every file takes at least a 4 KiB page). */
    static Tmpfs create(String name, int megabytes) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("bim-" + name + "-");
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m,mode=0755", "tmpfs",
                dir.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() == 0) {
            return new Tmpfs(dir, true);
        }
        Files.delete(dir);
        return new Tmpfs(Files.createTempDirectory(Path.of("/dev/shm"), "bim-" + name + "-"), false);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (mounted) {
            Process p = new ProcessBuilder("umount", "-l", root.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor();
            Files.deleteIfExists(root);
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
