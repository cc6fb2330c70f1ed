package org.securonis.bim.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A scratch tmpfs the tests mount themselves (we run as root in CI), or a fresh directory under
 * /dev/shm when mounting is not allowed; closed by the test class in @AfterAll.
 */
final class TmpfsFixture implements AutoCloseable {
    private final Path root;
    private final boolean mounted;

    private TmpfsFixture(Path root, boolean mounted) {
        this.root = root;
        this.mounted = mounted;
    }

    /** Mounts a 64 MiB tmpfs on a new temporary directory, or falls back to /dev/shm. */
    static TmpfsFixture create() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("bim-native-");
        if (run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", dir.toString())) {
            return new TmpfsFixture(dir, true);
        }
        Files.delete(dir);
        return new TmpfsFixture(Files.createTempDirectory(Path.of("/dev/shm"), "bim-native-"), false);
    }

    Path root() {
        return root;
    }

    /** Runs a command to completion; true when it exits 0 within 10 s. */
    static boolean run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }

    @Override
    public void close() throws IOException {
        if (mounted) {
            try {
                run("umount", root.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while unmounting " + root, e);
            }
        }
        if (Files.exists(root)) {
            try (Stream<Path> all = Files.walk(root)) {
                for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
