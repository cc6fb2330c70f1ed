package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutstandingTest {

    private static final Instant T = Instant.parse("2026-05-05T00:00:00Z");
    private final FileRecord base = TestFs.record("/usr/bin/x", TestFs.sha256("a"));

    private Finding updated(String sha, Source source) {
        FileRecord now = new FileRecord(base.path(), base.type(), sha, base.size(), base.mode(), 0, 0, 42, 1, 1,
                T, T, null, Tier.SYSTEM, T);
        return new Finding(Action.UPDATED, base.path(), Tier.SYSTEM, base, now, List.of("sha256"), source, T, null);
    }

    @Test
    void sameTamperedState_isAlertedOnceWhoeverFindsIt() {
        Outstanding o = new Outstanding(List.of());
        assertTrue(o.admit(updated(TestFs.sha256("b"), Source.EVENT)));
        assertFalse(o.admit(updated(TestFs.sha256("b"), Source.EVENT)), "a burst of events");
        assertFalse(o.admit(updated(TestFs.sha256("b"), Source.SWEEP)), "a later sweep");
        assertEquals(1, o.size());
    }

    @Test
    void furtherChange_isANewAlert() {
        Outstanding o = new Outstanding(List.of());
        assertTrue(o.admit(updated(TestFs.sha256("b"), Source.EVENT)));
        assertTrue(o.admit(updated(TestFs.sha256("c"), Source.EVENT)));
        assertEquals(TestFs.sha256("c"), o.entries().get(0).state().split(":")[2]);
    }

    @Test
    void matchingAgain_dropsTheEntrySoTheSameTamperingAlertsAgain() {
        Outstanding o = new Outstanding(List.of());
        assertTrue(o.admit(updated(TestFs.sha256("b"), Source.EVENT)));
        assertEquals("/usr/bin/x", o.clear("/usr/bin/x").path());
        assertNull(o.clear("/usr/bin/x"));
        assertTrue(o.admit(updated(TestFs.sha256("b"), Source.EVENT)));
    }

    @Test
    void entriesFromAnEarlierRun_keepTheirStateQuiet() {
        Outstanding first = new Outstanding(List.of());
        first.admit(updated(TestFs.sha256("b"), Source.EVENT));
        Outstanding second = new Outstanding(first.entries());
        assertFalse(second.admit(updated(TestFs.sha256("b"), Source.SWEEP)));
    }

    @Test
    void deletion_isOneStateHoweverOftenSeen() {
        Outstanding o = new Outstanding(List.of());
        Finding d = new Finding(Action.DELETED, base.path(), Tier.SYSTEM, base, null, List.of(), Source.EVENT, T, null);
        assertTrue(o.admit(d));
        assertFalse(o.admit(d));
    }
}
