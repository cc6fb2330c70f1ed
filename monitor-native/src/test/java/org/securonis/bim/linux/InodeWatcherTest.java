package org.securonis.bim.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** fanotify file system marks against the real kernel on a tmpfs: changes through a name nobody watches. */
class InodeWatcherTest extends OnTmpfs {

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "within 10 s: " + what);
            Thread.sleep(5);
        }
    }

    @Test
    void aWriteAndAChmodThroughAHardLinkElsewhere_areReportedUnderTheFilesOwnId() throws Exception {
        Path watched = Files.createDirectories(tmpfs.root().resolve("usr/bin"));
        Path tool = Files.writeString(watched.resolve("tool"), "original");
        Path elsewhere = Files.createDirectories(tmpfs.root().resolve("var/tmp"));
        Path link = Files.createLink(elsewhere.resolve("innocent"), tool);
        Path other = Files.writeString(elsewhere.resolve("other"), "unrelated");

        Set<InodeWatcher.FileId> changed = ConcurrentHashMap.newKeySet();
        Set<String> names = ConcurrentHashMap.newKeySet();
        InodeWatcher w;
        try {
            w = InodeWatcher.start(new InodeWatcher.Listener() {
                @Override
                public void onChange(InodeWatcher.FileId id, InodeWatcher.FileId dir, byte[] name,
                        boolean modifying) {
                    changed.add(id);
                    if (dir != null) {
                        names.add(dir + "/" + new String(name, StandardCharsets.UTF_8));
                    }
                }

                @Override
                public void onOverflow() {
                }

                @Override
                public void onFailure(String message) {
                }
            });
            w.mark(bytes(watched));
        } catch (NativeException e) {
            // Not a defect of ours: a kernel without FID reports, or no CAP_SYS_ADMIN (a container).
            Assumptions.assumeTrue(false, "fanotify file system marks unavailable here: " + e.getMessage());
            return;
        }
        try (w) {
            InodeWatcher.FileId id = InodeWatcher.idOf(bytes(tool));
            assertEquals(id, InodeWatcher.idOf(bytes(link)), "one inode, one id, by either name");
            assertNotEquals(id, InodeWatcher.idOf(bytes(other)));
            java.util.Map<Integer, byte[]> fsids = new java.util.HashMap<>();
            assertEquals(InodeWatcher.idOf(bytes(other)), InodeWatcher.idOf(bytes(other), fsids));
            assertEquals(id, InodeWatcher.idOf(bytes(tool), fsids), "the same id with the file system's id cached");
            assertEquals(1, fsids.size(), "one statfs for the one mount");

            Files.writeString(link, "trojan", StandardOpenOption.APPEND);
            await(() -> changed.contains(id), "the write through the hard link is reported as the tool's");
            // And through which name: the link's directory and entry, not the tool's.
            String viaLink = InodeWatcher.idOf(bytes(elsewhere)) + "/innocent";
            await(() -> names.contains(viaLink), "the name it was written through: " + names);
            Files.writeString(tool, "by its own name", StandardOpenOption.APPEND);
            String viaTool = InodeWatcher.idOf(bytes(watched)) + "/tool";
            await(() -> names.contains(viaTool), "the name it was written through: " + names);
            changed.clear();
            Files.setAttribute(link, "unix:mode", 04755); // setuid, through the other name
            await(() -> changed.contains(id), "the chmod through the hard link is reported as the tool's");
            Files.writeString(other, "more", StandardOpenOption.APPEND);
            InodeWatcher.FileId otherId = InodeWatcher.idOf(bytes(other));
            await(() -> changed.contains(otherId), "other files of the file system are reported too");
            assertTrue(w.events() >= 3, "events counted: " + w.events());
        }
    }
}
