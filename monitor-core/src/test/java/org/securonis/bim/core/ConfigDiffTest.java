package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {

    @Test
    void listsEveryChangedValueWithItsKey() throws Exception {
        try (FileSystem fs = TestFs.unix()) {
            Files.createDirectories(fs.getPath("/etc"));
            Files.writeString(fs.getPath("/etc/a.toml"), "[monitor]\ninterval = 60\n");
            Files.writeString(fs.getPath("/etc/b.toml"), "[monitor]\ninterval = 30\nmax_workers = 2\n"
                    + "[binaries]\nexclude = [\"/usr/bin/x\"]\n");
            Config a = ConfigLoader.load(fs.getPath("/etc/a.toml"));
            Config b = ConfigLoader.load(fs.getPath("/etc/b.toml"));
            assertEquals(List.of("monitor.interval: 60 -> 30", "monitor.max_workers: 0 -> 2",
                    "binaries.exclude: [] -> [/usr/bin/x]"), ConfigDiff.between(a, b));
            assertEquals(List.of(), ConfigDiff.between(a, a));
        }
    }
}
