package org.securonis.bim.linux;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A test class's own tmpfs, mounted before its tests and taken down after them (see {@link TmpfsFixture}). */
abstract class OnTmpfs {

    static TmpfsFixture tmpfs;

    @BeforeAll
    static void mount() throws Exception {
        tmpfs = TmpfsFixture.create();
    }

    @AfterAll
    static void unmount() throws Exception {
        tmpfs.close();
    }

    /** A path's bytes, as the native calls take them. */
    static byte[] bytes(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8);
    }
}
