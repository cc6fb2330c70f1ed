package org.securonis.bim.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The watcher against the real kernel, on a tmpfs the test mounts. */
class TreeWatcherTest extends OnTmpfs {
    private Path dir;
    private final Recorder events = new Recorder();

    @BeforeEach
    void freshDirectory(TestInfo test) throws IOException {
        dir = Files.createDirectory(tmpfs.root().resolve(test.getTestMethod().orElseThrow().getName()));
    }

    private TreeWatcher watch(Path path, boolean recursive) throws NativeException {
        return TreeWatcher.start(List.of(new WatchSpec(path, recursive)), events);
    }

    private WatchEvent await(WatchEvent.Kind kind, Path path) throws InterruptedException {
        return events.await(kind + " " + path, e -> e.kind() == kind && path.equals(e.path()));
    }

    @Test
    void writeAndClose_isReportedAsCloseWrite() throws Exception {
        try (TreeWatcher w = watch(dir, false)) {
            Files.writeString(dir.resolve("sudo"), "binary");
            await(WatchEvent.Kind.CREATE, dir.resolve("sudo"));
            await(WatchEvent.Kind.CLOSE_WRITE, dir.resolve("sudo"));
            assertHealthy(w);
        }
    }

    @Test
    void chmod_isReportedAsAttrib() throws Exception {
        Path file = Files.writeString(dir.resolve("su"), "x");
        try (TreeWatcher w = watch(dir, false)) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
            WatchEvent e = await(WatchEvent.Kind.ATTRIB, file);
            assertEquals(WatchEvent.of(WatchEvent.Kind.ATTRIB, file, bytes(file), false), e);
            assertHealthy(w);
        }
    }

    @Test
    void renameOver_isReportedAsMovedToTheTarget() throws Exception {
        Path target = Files.writeString(dir.resolve("libc.so.6"), "old");
        Path staged = Files.writeString(dir.resolve("libc.so.6.dpkg-new"), "new");
        try (TreeWatcher w = watch(dir, false)) {
            Files.move(staged, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            WatchEvent e = await(WatchEvent.Kind.MOVED, target);
            assertEquals(WatchEvent.moved(staged, bytes(staged), target, bytes(target), false), e);
            assertHealthy(w);
        }
    }

    @Test
    void renameFromOutside_isMovedToAndRenameOut_isMovedFrom() throws Exception {
        Path watched = Files.createDirectory(dir.resolve("watched"));
        Path outside = Files.writeString(dir.resolve("elsewhere"), "x");
        try (TreeWatcher w = watch(watched, false)) {
            Files.move(outside, watched.resolve("in"), StandardCopyOption.ATOMIC_MOVE);
            await(WatchEvent.Kind.MOVED_TO, watched.resolve("in"));
            Files.move(watched.resolve("in"), dir.resolve("out"), StandardCopyOption.ATOMIC_MOVE);
            await(WatchEvent.Kind.MOVED_FROM, watched.resolve("in"));
            assertHealthy(w);
        }
    }

    @Test
    void delete_isReportedAsDelete() throws Exception {
        Path file = Files.writeString(dir.resolve("sshd"), "x");
        try (TreeWatcher w = watch(dir, false)) {
            Files.delete(file);
            await(WatchEvent.Kind.DELETE, file);
            assertHealthy(w);
        }
    }

    @Test
    void directoryCreatedAndFilledQuickly_hasEveryFileReported() throws Exception {
        try (TreeWatcher w = watch(dir, true)) {
            List<Path> files = new ArrayList<>();
            Path deep = Files.createDirectories(dir.resolve("new/a/b/c"));
            for (Path d : List.of(dir.resolve("new"), dir.resolve("new/a"), deep)) {
                for (int i = 0; i < 30; i++) {
                    files.add(Files.writeString(d.resolve("lib" + i + ".so"), "x"));
                }
            }
            for (Path f : files) {
                events.await("an event for " + f, e -> f.equals(e.path())
                        && (e.kind() == WatchEvent.Kind.CREATE || e.kind() == WatchEvent.Kind.CLOSE_WRITE));
            }
            // The new tree is watched now, not only scanned.
            Files.writeString(deep.resolve("later"), "x");
            await(WatchEvent.Kind.CLOSE_WRITE, deep.resolve("later"));
            assertHealthy(w);
        }
    }

    @Test
    void directoryRenamedInsideTree_isMovedAndWatchedUnderItsNewName() throws Exception {
        Path before = Files.createDirectories(dir.resolve("x86_64-v1/sub"));
        Files.writeString(before.resolve("libm.so"), "x");
        try (TreeWatcher w = watch(dir, true)) {
            Files.move(dir.resolve("x86_64-v1"), dir.resolve("x86_64-v2"), StandardCopyOption.ATOMIC_MOVE);
            WatchEvent moved = await(WatchEvent.Kind.MOVED, dir.resolve("x86_64-v2"));
            assertEquals(dir.resolve("x86_64-v1"), moved.oldPath());
            assertTrue(moved.directory(), "a renamed directory is flagged as one: " + moved);
            await(WatchEvent.Kind.CREATE, dir.resolve("x86_64-v2/sub/libm.so"));
            Files.writeString(dir.resolve("x86_64-v2/sub/new.so"), "x");
            await(WatchEvent.Kind.CLOSE_WRITE, dir.resolve("x86_64-v2/sub/new.so"));
            assertHealthy(w);
        }
    }

    @Test
    void symlinkedRoot_isReportedUnderTheConfiguredName() throws Exception {
        Path real = Files.createDirectories(dir.resolve("usr/lib/sub"));
        Path link = Files.createSymbolicLink(dir.resolve("lib"), Path.of("usr/lib"));
        try (TreeWatcher w = watch(link, true)) {
            Files.writeString(real.resolve("libpam.so.0"), "x");
            WatchEvent e = await(WatchEvent.Kind.CLOSE_WRITE, link.resolve("sub/libpam.so.0"));
            assertArrayEquals(bytes(link.resolve("sub/libpam.so.0")), e.rawPath());
            assertTrue(events.seen().stream().noneMatch(x -> x.path() != null && x.path().startsWith(dir.resolve("usr"))),
                    "nothing reported under the real path: " + events.seen());
            assertHealthy(w);
        }
    }

    @Test
    void overlappingSpecs_reportUnderEachConfiguredName() throws Exception {
        Path real = Files.createDirectories(dir.resolve("usr/lib/x86_64-linux-gnu"));
        Path link = Files.createSymbolicLink(dir.resolve("lib"), Path.of("usr/lib"));
        List<WatchSpec> specs = List.of(new WatchSpec(link, true), new WatchSpec(real, false));
        try (TreeWatcher w = TreeWatcher.start(specs, events)) {
            Files.writeString(real.resolve("libc.so.6"), "x");
            await(WatchEvent.Kind.CLOSE_WRITE, real.resolve("libc.so.6"));
            await(WatchEvent.Kind.CLOSE_WRITE, link.resolve("x86_64-linux-gnu/libc.so.6"));
            assertHealthy(w);
        }
    }

    @Test
    void nameThatIsNotUtf8_keepsItsExactBytes() throws Exception {
        try (TreeWatcher w = watch(dir, false)) {
            assertTrue(TmpfsFixture.run("sh", "-c", "printf x > \"$1/$(printf 'bad\\377\\nname')\"", "sh", dir.toString()));
            WatchEvent e = events.await("CLOSE_WRITE of the odd name", x -> x.kind() == WatchEvent.Kind.CLOSE_WRITE);
            byte[] expected = Alias.join(bytes(dir), new byte[] {'b', 'a', 'd', (byte) 0xff, '\n', 'n', 'a', 'm', 'e'});
            assertArrayEquals(expected, e.rawPath());
            assertEquals(dir.resolve("bad\ufffd\nname"), e.path());
            assertHealthy(w);
        }
    }

    @Test
    void flood_whileListenerStalls_isReportedAsOverflowAndWatchingGoesOn() throws Exception {
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        WatchListener slow = e -> {
            if (stalled.getCount() > 0) {
                stalled.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
            events.onEvent(e);
        };
        Path file = dir.resolve("flood");
        try (TreeWatcher w = TreeWatcher.start(List.of(new WatchSpec(dir, false)), slow)) {
            Files.writeString(file, "x");
            assertTrue(stalled.await(5, TimeUnit.SECONDS), "listener was called");
            // MODIFY and CLOSE_WRITE alternate, so the kernel cannot merge them: 2 × 12 000 > max_queued_events.
            // Not Files.readString: it reads one byte first, and a sysctl file read from offset 1 is empty.
            int limit = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/inotify/max_queued_events")).get(0).trim());
            for (int i = 0; i < limit / 2 + 4_000; i++) {
                Files.writeString(file, "x", StandardOpenOption.APPEND);
            }
            release.countDown();
            events.await("OVERFLOW", e -> e.kind() == WatchEvent.Kind.OVERFLOW);
            assertEquals(1, w.stats().overflows());
            Files.writeString(dir.resolve("after"), "x");
            await(WatchEvent.Kind.CLOSE_WRITE, dir.resolve("after"));
        }
    }

    @Test
    void unwatchableDirectories_areReportedAndTheRestKeepsWorking() throws Exception {
        Path missing = dir.resolve("missing");
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        Path good = Files.createDirectory(dir.resolve("good"));
        List<WatchSpec> specs = List.of(new WatchSpec(missing, true), new WatchSpec(file, false),
                new WatchSpec(good, false));
        try (TreeWatcher w = TreeWatcher.start(specs, events)) {
            WatcherStats stats = w.stats();
            assertEquals(Set.of(missing, file), stats.failedDirectories().keySet());
            assertEquals("realpath(" + missing + "): ENOENT: no such file or directory",
                    stats.failedDirectories().get(missing));
            assertEquals("inotify_add_watch(" + file + "): ENOTDIR: not a directory", stats.failedDirectories().get(file));
            assertEquals(1, stats.watchedDirectories());
            await(WatchEvent.Kind.WATCH_FAILED, missing);
            await(WatchEvent.Kind.WATCH_FAILED, file);
            Files.writeString(good.resolve("ok"), "x");
            await(WatchEvent.Kind.CLOSE_WRITE, good.resolve("ok"));

            Files.createDirectory(missing);
            WatcherStats after = w.rewatch();
            assertEquals(Set.of(file), after.failedDirectories().keySet());
            Files.writeString(missing.resolve("now"), "x");
            await(WatchEvent.Kind.CLOSE_WRITE, missing.resolve("now"));
        }
    }

    @Test
    void deletedRoot_isWatchLostAndRewatchBringsItBack() throws Exception {
        Path root = Files.createDirectory(dir.resolve("sbin"));
        try (TreeWatcher w = watch(root, true)) {
            Files.delete(root);
            WatchEvent lost = await(WatchEvent.Kind.WATCH_LOST, root);
            assertEquals("watched directory was deleted (IN_DELETE_SELF)", lost.message());
            assertEquals(1, w.stats().lostWatches());
            Files.createDirectory(root);
            assertEquals(1, w.rewatch().watchedDirectories());
            Files.writeString(root.resolve("back"), "x");
            await(WatchEvent.Kind.CLOSE_WRITE, root.resolve("back"));
        }
    }

    @Test
    void movedRoot_isWatchLost() throws Exception {
        Path root = Files.createDirectories(dir.resolve("bin/sub"));
        try (TreeWatcher w = watch(dir.resolve("bin"), true)) {
            Files.move(dir.resolve("bin"), dir.resolve("bin.old"), StandardCopyOption.ATOMIC_MOVE);
            await(WatchEvent.Kind.WATCH_LOST, dir.resolve("bin"));
            assertEquals(0, w.stats().watchedDirectories(), "watches below a moved root are dropped: " + root);
        }
    }

    @Test
    void removeSpecs_stopsReportingThatTree() throws Exception {
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = Files.createDirectory(dir.resolve("b"));
        WatchSpec specA = new WatchSpec(a, false);
        try (TreeWatcher w = TreeWatcher.start(List.of(specA, new WatchSpec(b, false)), events)) {
            assertEquals(1, w.removeSpecs(List.of(specA)).watchedDirectories());
            Files.writeString(a.resolve("ignored"), "x");
            Files.writeString(b.resolve("seen"), "x");
            await(WatchEvent.Kind.CLOSE_WRITE, b.resolve("seen"));
            assertTrue(events.seen().stream().noneMatch(e -> a.resolve("ignored").equals(e.path())),
                    "nothing under a removed spec: " + events.seen());
        }
    }

    @Test
    void listenerThatThrows_endsTheWatcherWithAFatalEvent() throws Exception {
        List<WatchEvent> fatal = new ArrayList<>();
        CountDownLatch died = new CountDownLatch(1);
        WatchListener broken = e -> {
            if (e.kind() == WatchEvent.Kind.FATAL) {
                fatal.add(e);
                died.countDown();
                return;
            }
            throw new IllegalStateException("listener bug");
        };
        TreeWatcher w = TreeWatcher.start(List.of(new WatchSpec(dir, false)), broken);
        Files.writeString(dir.resolve("f"), "x");
        assertTrue(died.await(5, TimeUnit.SECONDS), "FATAL delivered");
        assertTrue(fatal.get(0).message().contains("IllegalStateException: listener bug"), fatal.get(0).message());
        w.close();
        assertFalse(w.stats().alive());
        assertThrows(IllegalStateException.class, w::rewatch);
    }

    @Test
    void close_leavesNoThreadAndNoDescriptorBehind() throws Exception {
        Files.createDirectories(dir.resolve("a/b/c"));
        watch(dir, true).close(); // loads classes and libraries, which may open files of their own
        Set<String> before = descriptors();
        TreeWatcher w = watch(dir, true);
        assertEquals(4, w.stats().watchedDirectories());
        assertTrue(liveReaderThreads() > 0, "reader thread runs while open");
        assertTrue(descriptors().stream().anyMatch(d -> d.contains("inotify")), "inotify fd open while open");
        w.close();
        w.close();
        assertEquals(0, liveReaderThreads(), "no reader thread after close");
        Set<String> after = descriptors();
        assertTrue(before.containsAll(after), "descriptors after close " + after + " were all there before " + before);
        assertFalse(w.stats().alive());
    }

    @Test
    void systemLibraryTree_canBeWatchedReadOnly() throws Exception {
        Path usrLib = Path.of("/usr/lib");
        try (TreeWatcher w = TreeWatcher.start(List.of(new WatchSpec(usrLib, true)), events)) {
            assertTrue(w.stats().watchedDirectories() > 10, "watched " + w.stats());
        }
    }

    /** The watcher is still running and every directory it was given is watched. */
    private static void assertHealthy(TreeWatcher w) {
        WatcherStats stats = w.stats();
        assertTrue(stats.alive() && stats.failedDirectories().isEmpty(), "healthy watcher: " + stats);
    }

    private static long liveReaderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("bim-inotify-")).count();
    }

    // Without the descriptors on this process's own descriptor directory: the listing's own (whose number moves
    // with the lowest free one) and the one reopening files holds from its first use, whichever test makes it.
    private static Set<String> descriptors() throws IOException {
        String own = "->" + Path.of("/proc/self/fd").toRealPath();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                try {
                    return fd.getFileName() + "->" + Files.readSymbolicLink(fd);
                } catch (IOException e) {
                    return fd.getFileName() + "->?"; // the fd of this very listing, closed by now
                }
            }).filter(d -> !d.endsWith("->?") && !d.endsWith(own)).collect(Collectors.toSet());
        }
    }
}
