package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThrottleTest {

    @Test
    void waitsWhatTheRateRequires_andSavesNoCreditWhileIdle() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        List<Long> waits = new ArrayList<>();
        Throttle t = new Throttle(1_000_000, now::get, n -> {
            waits.add(n);
            now.addAndGet(n);
        });
        t.acquire(500_000);
        t.acquire(500_000);
        assertEquals(List.of(500_000_000L, 500_000_000L), waits, "1 MB at 1 MB/s takes a second");
        now.addAndGet(10_000_000_000L);
        waits.clear();
        t.acquire(1_000_000);
        assertEquals(List.of(1_000_000_000L), waits, "ten idle seconds are no credit for a burst");
    }
}
