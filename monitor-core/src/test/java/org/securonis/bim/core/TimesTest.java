package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimesTest {

    @Test
    void parsesWhatInstantToStringWrites_asInstantParseDoes() {
        for (String s : new String[] {"2026-03-04T05:06:07Z", "2026-03-04T05:06:07.1Z", "2026-03-04T05:06:07.123Z",
                "2026-03-04T05:06:07.123456Z", "2026-03-04T05:06:07.123456789Z", "1970-01-01T00:00:00Z",
                "2024-02-29T23:59:59.999999999Z", "1969-12-31T23:59:59.5Z"}) {
            assertEquals(Instant.parse(s), Times.parseUtc(s), s);
        }
        Instant now = Instant.now();
        assertEquals(now, Times.parseUtc(now.toString()));
    }

    @Test
    void declinesAnythingElse() {
        for (String s : new String[] {"", "2026-03-04", "2026-03-04T05:06:07", "2026-02-30T00:00:00Z",
                "2026-03-04T25:00:00Z", "2026-03-04T05:06:07.Z", "2026-03-04T05:06:07.1234567890Z",
                "2026-03-04T05:06:07+01:00", "+12026-03-04T05:06:07Z", "2026-03-04t05:06:07Z", "2026-3-04T05:06:07Z"}) {
            assertNull(Times.parseUtc(s), s);
        }
    }
}
