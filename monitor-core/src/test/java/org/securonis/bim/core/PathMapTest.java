package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** {@link PathMap}, the baseline's records: the same answers as a sorted map, whatever order they come in. */
class PathMapTest {

    private static final Instant T = Instant.parse("2026-12-04T00:00:00Z");

    private static FileRecord rec(String path, long size) {
        return new FileRecord(path, FileType.FILE, "0".repeat(64), size, 0755, 0, 0, 1, 1, 1, T, T, null, Tier.SYSTEM,
                T);
    }

    private static List<String> paths(Random r, int n) {
        String[] dirs = {"/usr/bin", "/usr/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu/security",
            "/usr/sbin", "/lib", "/usr/lib/é", "/usr/lib-old"};
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(dirs[r.nextInt(dirs.length)] + "/" + Integer.toString(r.nextInt(1 << 20), 36));
        }
        return out;
    }

    @Test
    void iteratesInPathOrder_andLooksUp_asATreeMapDoes_fromAnyInputOrder() {
        Random r = new Random(20261204);
        for (int round = 0; round < 20; round++) {
            List<String> ps = paths(r, r.nextInt(2000));
            Map<String, FileRecord> shuffled = new LinkedHashMap<>();
            Collections.shuffle(ps, r);
            for (String p : ps) {
                shuffled.put(p, rec(p, p.length()));
            }
            TreeMap<String, FileRecord> expected = new TreeMap<>(shuffled);
            PathMap m = PathMap.of(shuffled);
            assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(m.keySet()));
            assertEquals(new ArrayList<>(expected.values()), new ArrayList<>(m.values()));
            assertEquals(expected, m);
            assertEquals(expected.hashCode(), m.hashCode());
            for (String p : expected.keySet()) {
                assertSame(expected.get(p), m.get(p));
                assertTrue(m.containsKey(p));
            }
            assertNull(m.get("/usr/bin/not-there"));
            assertEquals(expected.size(), m.size());
            assertSame(m, PathMap.of(m));
        }
    }

    @Test
    void findsEveryPathUnderAPrefix_andNothingBesideIt() {
        Random r = new Random(5);
        List<String> ps = paths(r, 3000);
        Map<String, FileRecord> in = new HashMap<>();
        ps.forEach(p -> in.put(p, rec(p, 1)));
        PathMap m = PathMap.of(in);
        for (String prefix : List.of("/usr/lib/", "/usr/lib/x86_64-linux-gnu/", "/usr/lib-old/", "/lib/", "/nope/",
                "/", "/usr/lib/é/")) {
            List<String> expected = new TreeMap<>(in).keySet().stream().filter(p -> p.startsWith(prefix)).toList();
            assertEquals(expected, m.keysStartingWith(prefix), prefix);
        }
    }

    @Test
    void appliesChanges_asPutAndRemoveOnASortedMap() {
        Random r = new Random(9);
        for (int round = 0; round < 30; round++) {
            List<String> ps = paths(r, 500);
            TreeMap<String, FileRecord> expected = new TreeMap<>();
            ps.forEach(p -> expected.put(p, rec(p, 1)));
            PathMap m = PathMap.of(expected);
            TreeMap<String, FileRecord> before = new TreeMap<>(expected);
            Map<String, FileRecord> changed = new HashMap<>();
            List<String> keys = new ArrayList<>(expected.keySet());
            for (int i = 0; i < 40; i++) {
                String k = r.nextInt(3) == 0 ? paths(r, 1).get(0) : keys.get(r.nextInt(keys.size()));
                changed.put(k, r.nextBoolean() ? null : rec(k, 2 + i));
            }
            changed.forEach((k, v) -> {
                if (v == null) {
                    expected.remove(k);
                } else {
                    expected.put(k, v);
                }
            });
            PathMap after = m.with(changed);
            assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(after.keySet()));
            assertEquals(expected, after);
            assertEquals(before, m, "the original is unchanged");
        }
    }

    @Test
    void refusesAPathRecordedTwice_andIsNeverWritable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PathMap.ofRecords(List.of(rec("/a", 1), rec("/b", 1), rec("/a", 2))));
        assertTrue(e.getMessage().contains("/a"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PathMap.ofRecords(List.of(rec("/b", 1), rec("/b", 1))));
        PathMap m = PathMap.ofRecords(List.of(rec("/b", 1), rec("/a", 1)));
        assertEquals(List.of("/a", "/b"), new ArrayList<>(m.keySet()));
        assertThrows(UnsupportedOperationException.class, () -> m.put("/c", rec("/c", 1)));
        assertThrows(UnsupportedOperationException.class, () -> m.remove("/a"));
        assertThrows(UnsupportedOperationException.class, () -> m.values().clear());
        assertThrows(UnsupportedOperationException.class, () -> m.keySet().iterator().remove());
        assertThrows(UnsupportedOperationException.class, () -> m.entrySet().iterator().next().setValue(null));
    }
}
