package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MaintenanceWindowTest {

    @Test
    void beginExtendsAndEndCloses_andTheWindowExpiresAtItsMaximum() throws Exception {
        try (FileSystem fs = TestFs.unix()) {
            Files.createDirectories(fs.getPath("/state"));
            MaintenanceWindow w = new MaintenanceWindow(fs.getPath("/state"));
            Instant t = Instant.parse("2026-03-01T10:00:00Z");
            assertNull(w.current());
            w.begin(t, Duration.ofHours(1), "dpkg");
            MaintenanceWindow.Open second = w.begin(t.plusSeconds(600), Duration.ofHours(1), "dpkg");
            assertEquals(new MaintenanceWindow.Open(t, t.plusSeconds(600).plus(Duration.ofHours(1)), "dpkg"), second,
                    "a second begin keeps the start and extends the end");
            assertFalse(second.expired(t.plusSeconds(4199)));
            assertTrue(second.expired(t.plusSeconds(4201)));
            assertEquals(second, w.end());
            assertNull(w.current());
            Files.writeString(w.file(), "{ damaged");
            assertNull(w.current(), "a damaged window counts as none: changes are then answered");
        }
    }
}
