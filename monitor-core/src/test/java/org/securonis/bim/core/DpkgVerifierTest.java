package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DpkgVerifierTest {

    private final FileSystem fs = TestFs.unix();
    private DpkgVerifier dpkg;
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    private static String md5(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @BeforeEach
    void info() throws Exception {
        TestFs.file(fs, "/var/lib/dpkg/info/coreutils.md5sums", md5("new ls") + "  usr/bin/ls\n" + md5("cat") + "  bin/cat\n");
        TestFs.file(fs, "/var/lib/dpkg/info/coreutils.list", "/usr\n/usr/bin\n/usr/bin/ls\n/bin/cat\n/usr/bin/dir\n");
        dpkg = new DpkgVerifier(fs.getPath("/var/lib/dpkg/info"));
    }

    @AfterEach
    void close() throws Exception {
        fs.close();
    }

    private Finding changed(String path, String content, int mode, int oldMode) throws Exception {
        Path p = TestFs.file(fs, path, content);
        FileRecord now = new FileRecord(path, FileType.FILE, TestFs.sha256(content), content.length(), mode, 0, 0, 1, 1,
                1, T, T, null, Tier.SYSTEM, T);
        FileRecord before = new FileRecord(path, FileType.FILE, TestFs.sha256("old"), 3, oldMode, 0, 0, 1, 1, 1, T, T,
                null, Tier.SYSTEM, T);
        return new Finding(Action.UPDATED, path, Tier.SYSTEM, before, now, List.of("sha256"), Source.SWEEP, T, null);
    }

    @Test
    void contentMatchingItsPackage_isAccepted_underEitherMergedUsrName() throws Exception {
        assertEquals(new DpkgVerifier.Verdict(true, "matches the checksum of package coreutils", "coreutils"),
                dpkg.verify(changed("/usr/bin/ls", "new ls", 0755, 0755), fs.getPath("/usr/bin/ls")));
        assertEquals(true, dpkg.verify(changed("/usr/bin/cat", "cat", 0755, 0755), fs.getPath("/usr/bin/cat")).accepted(),
                "dpkg knows it as bin/cat");
    }

    @Test
    void mismatchUnownedAndNewSetIdBits_areRefused() throws Exception {
        DpkgVerifier.Verdict v = dpkg.verify(changed("/usr/bin/ls", "trojan", 0755, 0755), fs.getPath("/usr/bin/ls"));
        assertEquals(false, v.accepted());
        assertEquals("coreutils", v.pkg());
        assertEquals(new DpkgVerifier.Verdict(false, "no package has a checksum for it", null),
                dpkg.verify(changed("/usr/bin/evil", "x", 0755, 0755), fs.getPath("/usr/bin/evil")));
        assertEquals(false, dpkg.verify(changed("/usr/bin/ls", "new ls", 04755, 0755), fs.getPath("/usr/bin/ls")).accepted(),
                "a matching checksum does not vouch for a new setuid bit");
    }

    @Test
    void deletion_isAcceptedOnlyWhenNoPackageListsThePath() throws Exception {
        FileRecord before = new FileRecord("/usr/bin/gone", FileType.FILE, TestFs.sha256("g"), 1, 0755, 0, 0, 1, 1, 1, T,
                T, null, Tier.SYSTEM, T);
        Finding gone = new Finding(Action.DELETED, "/usr/bin/gone", Tier.SYSTEM, before, null, List.of(), Source.SWEEP, T,
                null);
        assertEquals(true, dpkg.verify(gone, fs.getPath("/usr/bin/gone")).accepted());
        FileRecord dir = new FileRecord("/usr/bin/dir", FileType.FILE, TestFs.sha256("d"), 1, 0755, 0, 0, 1, 1, 1, T, T,
                null, Tier.SYSTEM, T);
        Finding listed = new Finding(Action.DELETED, "/usr/bin/dir", Tier.SYSTEM, dir, null, List.of(), Source.SWEEP, T,
                null);
        assertEquals(new DpkgVerifier.Verdict(false, "removed, but package coreutils still lists it", "coreutils"),
                dpkg.verify(listed, fs.getPath("/usr/bin/dir")));
    }

    @Test
    void aPackageListingANameThatIsNotUtf8_stillVouchesForItsOtherFiles_andForThatOneByItsBytes() throws Exception {
        byte[] latin1 = "usr/bin/caf\u00e9".getBytes(StandardCharsets.ISO_8859_1); // 0xE9 alone: not UTF-8
        String name = "/" + Names.fromBytes(latin1);
        java.io.ByteArrayOutputStream sums = new java.io.ByteArrayOutputStream();
        sums.write((md5("old tool") + "  ").getBytes(StandardCharsets.US_ASCII));
        sums.write(latin1);
        sums.write(("\n" + md5("vim") + "  usr/bin/vim\n").getBytes(StandardCharsets.US_ASCII));
        Files.write(fs.getPath("/var/lib/dpkg/info/legacy.md5sums"), sums.toByteArray());
        dpkg = new DpkgVerifier(fs.getPath("/var/lib/dpkg/info"));
        assertEquals(true, dpkg.verify(changed("/usr/bin/vim", "vim", 0755, 0755), fs.getPath("/usr/bin/vim")).accepted(),
                "the rest of that package's list is read");
        TestFs.file(fs, "/usr/bin/vim", "vim");
        Files.writeString(Names.path(fs, name), "old tool");
        FileRecord now = new FileRecord(name, FileType.FILE, TestFs.sha256("old tool"), 8, 0755, 0, 0, 1, 1, 1, T, T,
                null, Tier.SYSTEM, T);
        Finding f = new Finding(Action.CREATED, name, Tier.SYSTEM, null, now, List.of(), Source.SWEEP, T, null);
        DpkgVerifier.Verdict v = dpkg.verify(f, Names.path(fs, name));
        assertEquals(new DpkgVerifier.Verdict(true, "matches the checksum of package legacy", "legacy"), v);
    }
}
