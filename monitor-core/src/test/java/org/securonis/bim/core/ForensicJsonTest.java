package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ForensicJsonTest {

    @Test
    void record_writesModeOctalTimesEcsAndUndecodableBytesAsEscapes() throws Exception {
        FileRecord r = TestFs.record("/usr/bin/x\udcff\u00e9", TestFs.sha256("x"));
        byte[] bytes = ForensicJson.bytes(ForensicJson.record(r));
        String text = new String(bytes, StandardCharsets.US_ASCII);
        assertTrue(text.toLowerCase().contains("\"/usr/bin/x\\udcff\\u00e9\""), text);
        assertTrue(text.contains("\"mode\" : \"0755\""), text);
        assertTrue(text.contains("\"mtime\" : \"2026-01-01T00:00:00.000Z\""), text);
        assertEquals(r.path(), new ObjectMapper().readTree(bytes).get("path").asText(), "the name round-trips");
    }
}
