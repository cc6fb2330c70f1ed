package org.securonis.bim.core;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;

/** Test helpers: an in-memory Unix file system with the "unix" attribute view, and file makers. */
final class TestFs {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);

    private TestFs() {
    }

    static FileSystem unix() {
        return Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setAttributeViews("basic", "owner", "posix", "unix")
                .build());
    }

    static Path file(FileSystem fs, String path, String content) throws IOException {
        Path p = fs.getPath(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    /** SHA-256 computed here, independently of the code under test. */
    static String sha256(String content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(content.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static Config.Binaries binaries(List<String> critical, List<String> system, List<String> libraries,
            List<String> exclude) {
        return new Config.Binaries(critical, system, true, libraries, exclude);
    }

    static FileRecord record(String path, String sha) {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        return new FileRecord(path, FileType.FILE, sha, 10, 0755, 0, 0, 42, 1, 1, t, t, null, Tier.SYSTEM, t);
    }
}
