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

    @Test
    void writeReplacesOneEntryAndKeepsTheOthersAsTheyAre() throws Exception {
        Path dir = tmp.root;
        StateFile f = new StateFile(dir);
        String other = "{\"daemon\":{\"/usr/bin/a\\udcffb\":{\"inode\":3},\"pid\":12,\"ratio\":0.25,\"big\":123456789012345678901234567890,"
                + "\"up\":true,\"none\":null,\"list\":[1,\"a\\udcff\",{\"x\":[]}]},\"last_check\":{\"files\":1}}";
        java.nio.file.Files.writeString(dir.resolve(StateFile.NAME), other);
        f.write("last_check", g -> {
            g.writeStartObject();
            g.writeNumberField("files", 2);
            g.writeStringField("name", "/usr/bin/a\uDCFFb");
            g.writeEndObject();
        });
        com.fasterxml.jackson.databind.JsonNode now = org.securonis.bim.core.Json.MAPPER.readTree(
                java.nio.file.Files.readString(dir.resolve(StateFile.NAME)));
        assertEquals(org.securonis.bim.core.Json.MAPPER.readTree(other).get("daemon"), now.get("daemon"),
                "the other entry, every kind of value in it, unchanged");
        assertEquals(2, now.get("last_check").get("files").asInt());
        assertEquals("/usr/bin/a\uDCFFb", now.get("last_check").get("name").asText());
        assertTrue(java.nio.file.Files.readString(dir.resolve(StateFile.NAME)).contains("\\udcff"),
                "a lone surrogate written as an escape, not as '?'");
        assertEquals(2, now.size());
        assertEquals(2, f.entry("last_check", p -> {
            p.nextToken();
            p.nextToken();
            return p.getIntValue();
        }, -1));
        assertEquals(-1, f.entry("missing", p -> 0, -1), "an entry that is not there");
    }

    @Test
    void aStateThatCannotBeRead_isStartedAfresh_andReadsAsAbsent() throws Exception {
        Path dir = tmp.root;
        StateFile f = new StateFile(dir);
        for (String bad : new String[] {"{\"daemon\":{\"pid\":", "[1,2]", "{} {}", "", "nonsense"}) {
            java.nio.file.Files.writeString(dir.resolve(StateFile.NAME), bad);
            assertEquals("absent", f.entry("daemon", p -> "read", "absent"), bad);
            f.write("last_check", g -> g.writeNumber(7));
            com.fasterxml.jackson.databind.JsonNode now = org.securonis.bim.core.Json.MAPPER.readTree(
                    dir.resolve(StateFile.NAME).toFile());
            assertEquals(1, now.size(), bad + " -> " + now);
            assertEquals(7, now.get("last_check").asInt());
        }
        java.nio.file.Files.delete(dir.resolve(StateFile.NAME));
        assertEquals("absent", f.entry("daemon", p -> "read", "absent"), "no state yet");
    }

    @Test
    void restoredIdentities_roundTripThroughTheState() throws Exception {
        Path dir = tmp.root;
        DaemonState state = new DaemonState(dir);
        assertEquals(java.util.Map.of(), state.restored(), "none before the daemon wrote any");
        org.securonis.bim.core.RuntimeFacts facts = new org.securonis.bim.core.RuntimeFacts(java.util.Map.of());
        facts.restored("/usr/bin/ls", 41, 7);
        facts.restored("/usr/bin/a\uDCFFb", -3, 9);
        state.write(StateFile.object().put("pid", 1), new org.securonis.bim.core.Outstanding(List.of()), facts);
        assertEquals(facts.all(), state.restored(), () -> "read back by the streaming reader: "
                + uncheckedRead(dir.resolve(StateFile.NAME)).replaceAll("[^\\x20-\\x7e\\n]", "?"));
        // A name that is not UTF-8 is a lone surrogate escape in a JSON name, which Jackson's byte parser refuses
        // (it lost the whole state before): both readers take the text.
        assertEquals(2, new StateFile(dir).read().path("restored").size());
        new StateFile(dir).write("last_check", g -> g.writeNumber(1));
        assertEquals(facts.all(), state.restored(), () -> "read back by the streaming reader, after another write: "
                + uncheckedRead(dir.resolve(StateFile.NAME)).replaceAll("[^\\x20-\\x7e\\n]", "?"));
    }

    @Test
    void allReadersAgree_onAMarkTrailingTextAndANameGivenTwice() throws Exception {
        Path dir = tmp.root;
        Path file = dir.resolve(StateFile.NAME);
        StateFile f = new StateFile(dir);
        String state = "{\"daemon\":{\"pid\":3},\"restored\":{\"/a\":{\"inode\":1,\"device\":2}}}";
        for (String text : new String[] {"\uFEFF" + state, state + "}", state + "\n{\"x\":1}"}) {
            java.nio.file.Files.writeString(file, text);
            assertEquals(java.util.Map.of("/a", new org.securonis.bim.core.RuntimeFacts.Identity(1, 2)),
                    new DaemonState(dir).restored(), text);
            assertEquals(3, f.read().path("daemon").path("pid").asInt(), text);
            f.write("last_check", g -> g.writeNumber(1));
            ObjectNode now = f.read();
            assertEquals(3, now.size(), "the other entries kept: " + now);
        }
        java.nio.file.Files.writeString(file, "{\"daemon\":{\"pid\":3},\"daemon\":{\"pid\":4}}");
        assertEquals("absent", f.entry("daemon", p -> "read", "absent"), "a name given twice: unreadable");
        assertEquals(0, f.read().size(), "to the tree reader too");
        f.write("last_check", g -> g.writeNumber(1));
        assertEquals(1, f.read().size(), "and started afresh by a writer");
    }

    @Test
    void restoredIdentities_passOverValuesOfAnotherShape() throws Exception {
        Path dir = tmp.root;
        java.nio.file.Files.writeString(dir.resolve(StateFile.NAME), "{\"restored\":{"
                + "\"/a\":{\"inode\":[5,6],\"device\":2},\"/b\":{\"inode\":3,\"extra\":{\"x\":[1]},\"device\":4},"
                + "\"/c\":{\"inode\":123456789012345678901234567890,\"device\":1e400},\"/d\":[1,2],"
                + "\"/e\":{\"inode\":\"42\",\"device\":7.9}}}");
        java.util.Map<String, org.securonis.bim.core.RuntimeFacts.Identity> r = new DaemonState(dir).restored();
        assertEquals(new org.securonis.bim.core.RuntimeFacts.Identity(0, 2), r.get("/a"));
        assertEquals(new org.securonis.bim.core.RuntimeFacts.Identity(3, 4), r.get("/b"));
        assertEquals(new org.securonis.bim.core.RuntimeFacts.Identity(
                new java.math.BigInteger("123456789012345678901234567890").longValue(), Long.MAX_VALUE), r.get("/c"));
        assertEquals(new org.securonis.bim.core.RuntimeFacts.Identity(0, 0), r.get("/d"));
        assertEquals(new org.securonis.bim.core.RuntimeFacts.Identity(42, 7), r.get("/e"));
        assertEquals(5, r.size());
    }

    private static String uncheckedRead(Path p) {
        try {
            return java.nio.file.Files.readString(p);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
