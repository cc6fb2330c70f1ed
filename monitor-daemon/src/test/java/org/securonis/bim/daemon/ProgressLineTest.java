package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProgressLineTest {

    private static final String LINE = "bim check: 52168/59654 files, 3.9 GB/4.2 GB, 1.7 GB/s, 0:01 left";

    @Test
    void aLineWiderThanTheTerminal_isCutShortOfItsLastColumn_elseLeftWhole() {
        assertEquals(LINE.substring(0, 49), ProgressLine.fit(LINE, "50"), "a wrap would leave a line per redraw");
        assertEquals(LINE, ProgressLine.fit(LINE, "200"));
        assertEquals(LINE, ProgressLine.fit(LINE, null), "no width known: as it is");
        assertEquals(LINE, ProgressLine.fit(LINE, "wide"));
        assertEquals(LINE, ProgressLine.fit(LINE, "1"));
    }
}
