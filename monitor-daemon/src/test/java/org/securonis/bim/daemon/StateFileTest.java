package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** state.json's read-modify-write is one step: writers in other threads and other processes lose nothing. */
class StateFileTest {

    private static final int PUTS = 150;
    private Tmpfs tmp;

    @BeforeEach
    void tree() throws Exception {
        tmp = Tmpfs.create("state");
    }

    @AfterEach
    void cleanup() throws Exception {
        tmp.close();
    }

    /** The other process: puts "child-0" .. "child-N" into the state file in DIR. */
    public static void main(String[] args) throws Exception {
        StateFile f = new StateFile(Path.of(args[0]));
        for (int i = 0; i < PUTS; i++) {
            f.put("child-" + i, IntNode.valueOf(i));
        }
    }

    @Test
    void concurrentWritersInThisProcessAndAnother_loseNoEntry() throws Exception {
        Path dir = tmp.root;
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), StateFileTest.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 3; t++) {
            String prefix = "thread" + t + "-";
            Thread th = new Thread(() -> {
                try {
                    // A fresh instance each time, as the daemon's parts and each command make their own.
                    for (int i = 0; i < PUTS; i++) {
                        new StateFile(dir).put(prefix + i, IntNode.valueOf(i));
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join(TimeUnit.MINUTES.toMillis(2));
        }
        assertTrue(child.waitFor(2, TimeUnit.MINUTES), "the other writer finished");
        String childOut = new String(child.getInputStream().readAllBytes());
        assertEquals(0, child.exitValue(), childOut);
        assertEquals(List.of(), failures);
        ObjectNode state = new StateFile(dir).read();
        assertEquals(4 * PUTS, state.size(), "every entry of every writer is kept: " + state.size());
    }
}
