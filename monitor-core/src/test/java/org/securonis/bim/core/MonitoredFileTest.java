package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.FileSystem;
import org.junit.jupiter.api.Test;

class MonitoredFileTest {

    private final FileSystem fs = TestFs.unix();

    @Test
    void aFileMadeFromItsSourceName_isTheFileMadeFromItsPath() {
        MonitoredFile named = MonitoredFile.named("/lib/libc.so.6", fs, "/usr/lib/libc.so.6", Tier.LIBRARY, true);
        MonitoredFile pathed = new MonitoredFile("/lib/libc.so.6", fs.getPath("/usr/lib/libc.so.6"), Tier.LIBRARY,
                true);
        assertEquals(pathed, named);
        assertEquals(named, pathed);
        assertEquals(pathed.hashCode(), named.hashCode());
        assertEquals(pathed.source(), named.source());
        assertEquals("/usr/lib/libc.so.6", pathed.sourceName());
        assertSame(fs, named.fileSystem());
        assertSame(named.source(), named.source(), "made once");
        assertNotEquals(pathed, new MonitoredFile("/lib/libc.so.6", fs.getPath("/usr/lib/libc.so.6"), Tier.LIBRARY,
                false));
        assertNotEquals(pathed, MonitoredFile.named("/lib/libc.so.6", fs, "/usr/lib/libc.so.6", Tier.SYSTEM, true));
    }

    @Test
    void aNameThatIsNotUtf8_keepsItsBytesThroughThePath() {
        String name = "/usr/bin/a\uDCFFb";
        MonitoredFile f = MonitoredFile.named(name, fs, name, Tier.SYSTEM, true);
        assertEquals(name, f.sourceName());
        assertEquals(f.source(), Names.path(fs, name));
        assertArrayEquals(new byte[] {'/', 'u', 's', 'r', '/', 'b', 'i', 'n', '/', 'a', (byte) 0xff, 'b'},
                f.sourceBytes(), "the kernel's bytes, the escaped one as itself");
        f.sourceBytes()[0] = 'x';
        assertEquals('/', f.sourceBytes()[0], "a copy each time: the file's own stay as they are");
        assertArrayEquals(new byte[] {'/', 'u', 's', 'r', '/', 'b', 'i', 'n', '/', 'a', (byte) 0xff, 'b', 0},
                f.sourceCString(), "the same bytes and a NUL, as system calls take a path");
        assertSame(f.sourceCString(), f.sourceCString(), "made once and shared");
    }
}
