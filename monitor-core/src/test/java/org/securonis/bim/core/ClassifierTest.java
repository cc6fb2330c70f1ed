package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassifierTest {

    private static final Instant NOW = Instant.parse("2026-02-01T00:00:00Z");
    private static final String A = TestFs.sha256("a");
    private static final String B = TestFs.sha256("b");
    private final FileRecord base = TestFs.record("/usr/bin/x", A);

    private static FileRecord with(FileRecord r, String sha, long size, int mode, int uid, int gid, long inode,
            int nlink) {
        return new FileRecord(r.path(), r.type(), sha, size, mode, uid, gid, inode, r.device(), nlink,
                r.mtime(), r.ctime(), r.target(), r.tier(), r.checked());
    }

    private Finding classify(FileRecord before, Observation now) {
        return Classifier.classify("/usr/bin/x", Tier.SYSTEM, before, now, Source.SWEEP, NOW);
    }

    @Test
    void identicalState_isNoFinding() {
        assertNull(classify(base, Observation.present(base)));
    }

    @Test
    void timesAlone_areNoFinding() {
        FileRecord touched = new FileRecord(base.path(), base.type(), A, base.size(), base.mode(), 0, 0, 42, 1, 1,
                NOW, NOW, null, Tier.SYSTEM, NOW);
        assertNull(classify(base, Observation.present(touched)));
    }

    @Test
    void contentWithSameSizeAndTimes_isUpdated() {
        FileRecord after = with(base, B, 10, 0755, 0, 0, 42, 1);
        assertEquals(new Finding(Action.UPDATED, "/usr/bin/x", Tier.SYSTEM, base, after, List.of("sha256"),
                Source.SWEEP, NOW, null), classify(base, Observation.present(after)));
    }

    @Test
    void setuidBit_isAttributesModified() {
        FileRecord after = with(base, A, 10, 04755, 0, 0, 42, 1);
        assertEquals(new Finding(Action.ATTRIBUTES_MODIFIED, "/usr/bin/x", Tier.SYSTEM, base, after,
                List.of("mode"), Source.SWEEP, NOW, null), classify(base, Observation.present(after)));
    }

    @Test
    void ownerInodeAndLinks_areAttributesModified() {
        FileRecord after = with(base, A, 10, 0755, 1000, 1000, 43, 2);
        assertEquals(List.of("uid", "gid", "inode", "nlink"), classify(base, Observation.present(after)).changes());
        assertEquals(Action.ATTRIBUTES_MODIFIED, classify(base, Observation.present(after)).action());
    }

    @Test
    void contentAndMode_isOneUpdatedListingBoth() {
        FileRecord after = with(base, B, 11, 04755, 0, 0, 42, 1);
        Finding f = classify(base, Observation.present(after));
        assertEquals(Action.UPDATED, f.action());
        assertEquals(List.of("sha256", "size", "mode"), f.changes());
    }

    @Test
    void typeChange_isUpdated() {
        FileRecord link = new FileRecord("/usr/bin/x", FileType.SYMLINK, null, 4, 0777, 0, 0, 42, 1, 1,
                base.mtime(), base.ctime(), "/tmp/evil", Tier.SYSTEM, NOW);
        Finding f = classify(base, Observation.present(link));
        assertEquals(Action.UPDATED, f.action());
        assertEquals(List.of("type", "mode"), f.changes());
    }

    @Test
    void symlinkRetarget_isUpdated() {
        FileRecord l1 = new FileRecord("/usr/bin/x", FileType.SYMLINK, null, 2, 0777, 0, 0, 42, 1, 1,
                base.mtime(), base.ctime(), "ls", Tier.SYSTEM, NOW);
        FileRecord l2 = new FileRecord("/usr/bin/x", FileType.SYMLINK, null, 2, 0777, 0, 0, 42, 1, 1,
                base.mtime(), base.ctime(), "sh", Tier.SYSTEM, NOW);
        assertEquals(List.of("target"), classify(l1, Observation.present(l2)).changes());
    }

    @Test
    void missing_isDeletedAndNewIsCreated() {
        assertEquals(new Finding(Action.DELETED, "/usr/bin/x", Tier.SYSTEM, base, null, List.of(), Source.SWEEP, NOW,
                null), classify(base, Observation.missing("/usr/bin/x", Tier.SYSTEM)));
        assertEquals(new Finding(Action.CREATED, "/usr/bin/x", Tier.SYSTEM, null, base, List.of(), Source.SWEEP, NOW,
                null), classify(null, Observation.present(base)));
        assertNull(classify(null, Observation.missing("/usr/bin/x", Tier.SYSTEM)));
    }

    @Test
    void failedCapture_keepsThePreviousDigestButStillComparesAttributes() {
        FileRecord statOnly = with(base, null, 10, 0755, 0, 0, 42, 1);
        assertNull(classify(base, Observation.failed("/usr/bin/x", Tier.SYSTEM, statOnly, "cannot read")),
                "an unreadable file neither passes as changed nor flaps");
        FileRecord chmodded = with(base, null, 10, 0000, 0, 0, 42, 1);
        assertEquals(List.of("mode"),
                classify(base, Observation.failed("/usr/bin/x", Tier.SYSTEM, chmodded, "cannot read")).changes());
        assertNull(classify(base, Observation.failed("/usr/bin/x", Tier.SYSTEM, null, "cannot stat")));
    }

    @Test
    void failedCapture_ofAFileOfAnotherSize_isUpdated_itsBytesUnread() {
        // Kept growing while it was hashed (or unreadable and rewritten): another size is another content.
        FileRecord grown = with(base, null, 4096, 0755, 0, 0, 42, 1);
        Finding f = classify(base, Observation.failed("/usr/bin/x", Tier.SYSTEM, grown,
                "kept changing while being hashed (3 attempts)"));
        assertEquals(Action.UPDATED, f.action());
        assertEquals(List.of("size"), f.changes());
        FileRecord grownAndChmodded = with(base, null, 4096, 04755, 0, 0, 42, 1);
        assertEquals(List.of("size", "mode"), classify(base, Observation.failed("/usr/bin/x", Tier.SYSTEM,
                grownAndChmodded, "cannot read")).changes());
    }
}
