package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MonitoredSetTest {

    private final FileSystem fs = TestFs.unix();

    @AfterEach
    void close() throws Exception {
        fs.close();
    }

    private static Map<String, Tier> tiers(MonitoredSet set) {
        Map<String, Tier> m = new TreeMap<>();
        set.files().forEach((p, f) -> m.put(p, f.tier()));
        return m;
    }

    @Test
    void globsExactPathsAndTiers_resolveMostSpecificFirst() throws Exception {
        TestFs.file(fs, "/usr/bin/sudo", "s");
        TestFs.file(fs, "/usr/bin/ls", "l");
        TestFs.file(fs, "/usr/bin/sub/deep", "d");
        TestFs.file(fs, "/usr/sbin/sshd", "d");
        TestFs.file(fs, "/usr/lib/libc.so.6", "c");
        TestFs.file(fs, "/usr/lib/x/libpam.so.0", "p");
        TestFs.file(fs, "/usr/lib/x/notes.txt", "n");
        MonitoredSet set = MonitoredSet.resolve(TestFs.binaries(List.of("/usr/bin/sudo", "/usr/sbin/sshd"),
                List.of("/usr/bin/*", "/usr/sbin/*", "/usr/lib/**"), List.of("/usr/lib/**/lib*.so*"), List.of()), fs);
        assertEquals(Map.of(
                "/usr/bin/sudo", Tier.CRITICAL,
                "/usr/sbin/sshd", Tier.CRITICAL,
                "/usr/bin/ls", Tier.SYSTEM,
                "/usr/lib/libc.so.6", Tier.LIBRARY,
                "/usr/lib/x/libpam.so.0", Tier.LIBRARY,
                "/usr/lib/x/notes.txt", Tier.SYSTEM), tiers(set));
        assertEquals(List.of(), set.warnings());
    }

    @Test
    void symlinkedRoot_isResolvedOnceAndReportedUnderTheConfiguredName() throws Exception {
        TestFs.file(fs, "/usr/lib/x86_64-linux-gnu/libc.so.6", "c");
        Files.createSymbolicLink(fs.getPath("/lib"), fs.getPath("usr/lib"));
        MonitoredSet set = MonitoredSet.resolve(TestFs.binaries(List.of(), List.of(),
                List.of("/lib/x86_64-linux-gnu/libc.so*"), List.of()), fs);
        MonitoredFile f = set.files().get("/lib/x86_64-linux-gnu/libc.so.6");
        assertEquals(new MonitoredFile("/lib/x86_64-linux-gnu/libc.so.6",
                fs.getPath("/usr/lib/x86_64-linux-gnu/libc.so.6"), Tier.LIBRARY, true), f);
        assertEquals(List.of(new MonitoredSet.WatchRoot("/lib/x86_64-linux-gnu",
                fs.getPath("/usr/lib/x86_64-linux-gnu"), false)), set.watchRoots());
    }

    @Test
    void sameFileThroughTwoNames_isMonitoredOnceWithTheMoreSpecificTier() throws Exception {
        TestFs.file(fs, "/usr/lib/libc.so.6", "c");
        Files.createSymbolicLink(fs.getPath("/lib"), fs.getPath("/usr/lib"));
        MonitoredSet set = MonitoredSet.resolve(TestFs.binaries(List.of(), List.of("/usr/lib/*"),
                List.of("/lib/libc.so*"), List.of()), fs);
        assertEquals(Map.of("/lib/libc.so.6", Tier.LIBRARY), tiers(set));
    }

    @Test
    void symlinksInsideTheSet_areMembersAndAreNotFollowed() throws Exception {
        TestFs.file(fs, "/usr/bin/real", "r");
        TestFs.file(fs, "/outside/secret/x", "x");
        Files.createSymbolicLink(fs.getPath("/usr/bin/link"), fs.getPath("real"));
        Files.createSymbolicLink(fs.getPath("/usr/bin/dirlink"), fs.getPath("/outside/secret"));
        MonitoredSet set = MonitoredSet.resolve(TestFs.binaries(List.of(), List.of("/usr/bin/**"), List.of(),
                List.of()), fs);
        assertEquals(Map.of("/usr/bin/real", Tier.SYSTEM, "/usr/bin/link", Tier.SYSTEM, "/usr/bin/dirlink",
                Tier.SYSTEM), tiers(set), "a symlinked directory is a member, never walked into");
    }

    @Test
    void exclude_takesPathsOut() throws Exception {
        TestFs.file(fs, "/usr/bin/a", "a");
        TestFs.file(fs, "/usr/bin/b.tmp", "b");
        MonitoredSet set = MonitoredSet.resolve(TestFs.binaries(List.of(), List.of("/usr/bin/*"), List.of(),
                List.of("/usr/bin/*.tmp")), fs);
        assertEquals(Map.of("/usr/bin/a", Tier.SYSTEM), tiers(set));
        assertEquals(Optional.empty(), set.lookup("/usr/bin/new.tmp"));
    }

    @Test
    void missingRoot_isAWarningNotAFailure() {
        MonitoredSet set = MonitoredSet.resolve(TestFs.binaries(List.of("/usr/sbin/sshd"), List.of("/opt/bin/*"),
                List.of(), List.of()), fs);
        assertEquals(0, set.size());
        assertEquals(List.of("/usr/sbin/sshd"), set.missing());
        assertEquals(2, set.warnings().size(), set.warnings().toString());
        assertTrue(set.warnings().get(0).startsWith("/usr/sbin: does not exist"), set.warnings().get(0));
    }

    @Test
    void lookup_answersForPathsThatAppearedLater() throws Exception {
        TestFs.file(fs, "/usr/lib/x/old.so", "o");
        Files.createSymbolicLink(fs.getPath("/lib"), fs.getPath("/usr/lib"));
        MonitoredSet set = MonitoredSet.resolve(TestFs.binaries(List.of(), List.of(), List.of("/lib/**/*.so"),
                List.of()), fs);
        assertEquals(Optional.of(new MonitoredFile("/lib/x/y/new.so", fs.getPath("/usr/lib/x/y/new.so"),
                Tier.LIBRARY, true)), set.lookup("/lib/x/y/new.so"));
        assertEquals(Optional.empty(), set.lookup("/lib/x/y/new.txt"));
        assertTrue(set.watchRoots().get(0).recursive());
    }

    @Test
    void watchRoots_areRecursiveWhereAPatternReachesBelowTheRoot() throws Exception {
        TestFs.file(fs, "/a/x", "x");
        TestFs.file(fs, "/b/c/x", "x");
        TestFs.file(fs, "/d/e/f", "x");
        TestFs.file(fs, "/g/h", "x");
        MonitoredSet set = MonitoredSet.resolve(TestFs.binaries(List.of("/g/h"), List.of("/a/*", "/b/**", "/d/*/f"),
                List.of(), List.of()), fs);
        assertEquals(List.of(
                new MonitoredSet.WatchRoot("/a", fs.getPath("/a"), false),
                new MonitoredSet.WatchRoot("/b", fs.getPath("/b"), true),
                new MonitoredSet.WatchRoot("/d", fs.getPath("/d"), true),
                new MonitoredSet.WatchRoot("/g", fs.getPath("/g"), false)), set.watchRoots());
    }
}
