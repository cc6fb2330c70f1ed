package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.securonis.bim.core.Inspector;
import org.securonis.bim.core.MonitoredFile;
import org.securonis.bim.core.Observation;
import org.securonis.bim.core.Tier;

/**
 * A huge sparse file ({@code -Dbim.sparse.gb}: 8 in the normal suite, 100 with -Pstress) is hashed at full speed,
 * in bounded time, with no memory growth: one reused buffer, whatever the size.
 */
@Tag("stress")
class SparseFileTest {

    private static final long GB = Long.getLong("bim.sparse.gb", 8);
    private Tmpfs tmp;

    @BeforeEach
    void mount() throws Exception {
        tmp = Tmpfs.create("sparse", 16);
    }

    @AfterEach
    void unmount() throws Exception {
        tmp.close();
    }

    @Test
    void aHugeSparseFile_isHashedCompletely_withoutAllocatingPerByte() throws Exception {
        Path p = tmp.root.resolve("sparse");
        long size = GB << 30;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ch.position(size - 1);
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
        }
        assertEquals(size, Files.size(p));
        // The expected digest from openssl, on the other core, at the same time.
        Process openssl = new ProcessBuilder("openssl", "dgst", "-sha256", "-r", p.toString())
                .redirectErrorStream(true).start();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Inspector inspector = new Inspector(Clock.systemUTC(), null, NativeOpener.best());
        long t0 = System.nanoTime();
        long allocated0 = threads.getCurrentThreadAllocatedBytes();
        Observation o = assertTimeoutPreemptively(Duration.ofMinutes(10),
                () -> inspector.capture(new MonitoredFile(p.toString(), p, Tier.SYSTEM)));
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocated0;
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(openssl.waitFor(10, TimeUnit.MINUTES), "openssl finished");
        String expected = new String(openssl.getInputStream().readAllBytes()).split(" ")[0];
        assertTrue(o.isPresent(), String.valueOf(o));
        assertEquals(size, o.state().size());
        assertEquals(expected, o.state().sha256());
        System.out.printf("sparse file: %d GB hashed in %.1f s (%.2f GB/s), %d KB allocated on the hashing thread%n",
                GB, seconds, GB / seconds, allocated >> 10);
        assertTrue(allocated < (16L << 20), "memory use grew with the file: " + allocated + " bytes allocated");
    }
}
