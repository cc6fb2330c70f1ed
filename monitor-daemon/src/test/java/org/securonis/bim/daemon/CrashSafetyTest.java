package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.securonis.bim.core.Baseline;
import org.securonis.bim.core.BaselineSeal;
import org.securonis.bim.core.BaselineStore;

/**
 * SIGKILL at random moments during {@code init --force} and {@code update}: whatever is on disk afterwards loads
 * and verifies under its seal, as the old or the new baseline, and no temporary file is taken for the real one.
 */
@Tag("stress")
class CrashSafetyTest {

    private static final long SEED = Long.getLong("bim.crash.seed", System.nanoTime());
    private static final int ROUNDS = Integer.getInteger("bim.crash.rounds", 12);
    private Tmpfs tmp;
    private Path bin;
    private Path config;
    private Path db;

    @BeforeEach
    void tree() throws Exception {
        tmp = Tmpfs.create("crash");
        bin = Files.createDirectories(tmp.root.resolve("usr/bin"));
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < 1500; i++) {
            Files.write(bin.resolve("f" + i), chunk);
        }
        db = tmp.root.resolve("state/hashes.json");
        config = tmp.root.resolve("bim.toml");
        Files.writeString(config, """
                [monitor]
                database_path = "%1$s/state/hashes.json"
                key_path = "%1$s/state/bim.key"
                log_dir = "%1$s/state/log"
                lockdown_script = "/bin/false"
                max_workers = 1
                [binaries]
                critical_binaries = []
                system_binaries = ["%1$s/usr/bin/*"]
                include_libraries = false
                [lockdown]
                backup_dir = "%1$s/state/backup"
                """.formatted(tmp.root));
    }

    @AfterEach
    void cleanup() throws Exception {
        tmp.close();
    }

    private Process bim(String... args) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, Main.class.getName(), "--config", config.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Test
    void killedAtAnyMoment_leavesAWholeVerifiableBaseline() throws Exception {
        System.out.println("crash-safety seed " + SEED + " (rerun with -Dbim.crash.seed=" + SEED + ")");
        Random r = new Random(SEED);
        Process first = bim("init");
        assertTrue(first.waitFor(120, TimeUnit.SECONDS) && first.exitValue() == 0, "the first init");
        int killed = 0;
        for (int round = 0; round < ROUNDS; round++) {
            // Change something so that every update really writes.
            Files.writeString(bin.resolve("f" + r.nextInt(1500)), "round " + round);
            Process p = bim(round % 3 == 0 ? "init" : "update", round % 3 == 0 ? "--force" : "--no-progress");
            // The moment of death: anywhere from JVM start-up to the rename, chosen by the seed.
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200 + r.nextInt(1800));
            while (p.isAlive() && System.nanoTime() < deadline) {
                p.waitFor(5, TimeUnit.MILLISECONDS);
            }
            if (p.isAlive()) {
                new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start().waitFor();
                killed++;
            }
            p.waitFor(30, TimeUnit.SECONDS);
            try {
                Baseline b = new BaselineStore(db, BaselineSeal.load(tmp.root.resolve("state/bim.key"))).load();
                assertTrue(b.size() == 1500, "round " + round + ": " + b.size() + " records");
            } catch (Exception e) {
                fail("seed " + SEED + " round " + round + ": the baseline on disk does not load and verify: " + e);
            }
        }
        System.out.println("crash-safety: " + killed + " of " + ROUNDS + " writers killed mid-run");
        try (Stream<Path> s = Files.list(db.getParent())) {
            s.filter(f -> f.getFileName().toString().contains(".tmp-")).forEach(f -> System.out.println(
                    "left behind by a killed writer (never read as a baseline): " + f.getFileName()));
        }
    }
}
