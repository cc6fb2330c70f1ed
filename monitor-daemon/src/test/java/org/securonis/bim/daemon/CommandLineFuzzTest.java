package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Command lines from a seeded random generator (every command but {@code daemon}, every flag and option, and
 * junk: control characters, lone surrogates, huge and empty values, paths that escape): each is answered with a
 * known exit code and, on a refusal, one clear "bim:" message, never a stack trace, a raw control character or a
 * hang; and nothing it does leaves the baseline unverifiable or evidence lost. Seed: -Dbim.fuzz.seed.
 */
class CommandLineFuzzTest {

    private static final long SEED = Long.getLong("bim.fuzz.seed", 20261204L);
    private static final int ROUNDS = Integer.getInteger("bim.fuzz.rounds", 400);
    private static final Set<Integer> KNOWN_CODES = Set.of(0, 1, 2, 3, 4, 5, 6, 7, ExitCode.WRITE_ERROR,
            ExitCode.INVALID_ARGUMENT, ExitCode.CONFIG_ERROR, ExitCode.IO_ERROR);
    private static final String[] COMMANDS = {"init", "check", "update", "status", "verify-db", "keygen", "sweep",
        "reload", "maintenance", "quarantine", "lockdown", "help", "version", "daemon", "bogus", "", "-", "INIT"};
    private static final String[] SUBCOMMANDS = {"list", "release", "begin", "end", "status", "start", "x"};
    private static final String[] FLAGS = {"--force", "--json", "--dry-run", "--no-accept", "--no-script",
        "--no-progress", "--help", "-h", "--version", "--", "-", "--reason", "--reason=", "--passphrase",
        "--passphrase=hunter2", "--config", "--signing-key", "--passphrase-file", "--out", "--out=", "-x", "--jsonx",
        "---", "--=", "--force=yes"};

    private Tmpfs tmp;
    private Path config;
    private Path bin;
    private Random random;

    @BeforeEach
    void tree() throws Exception {
        tmp = Tmpfs.create("fuzz-cli");
        bin = Files.createDirectories(tmp.root.resolve("usr/bin"));
        for (String name : new String[] {"su", "ls", "cat"}) {
            Files.writeString(bin.resolve(name), name + " binary");
        }
        Files.createDirectories(tmp.root.resolve("dpkg"));
        Fakes fakes = Fakes.in(tmp.root.resolve("fakes"));
        config = tmp.root.resolve("bim.toml");
        Files.writeString(config, fakes.monitorSection(tmp.root) + """
                max_workers = 2
                [binaries]
                critical_binaries = ["%1$s/usr/bin/su"]
                system_binaries = ["%1$s/usr/bin/*"]
                include_libraries = false
                [lockdown]
                backup_dir = "%1$s/state/backup"
                [maintenance]
                dpkg_info_dir = "%1$s/dpkg"
                [response]
                """.formatted(tmp.root) + fakes.sendmailLine());
        random = new Random(SEED);
    }

    @AfterEach
    void cleanup() throws Exception {
        tmp.close();
    }

    @Test
    void randomCommandLines_areAnsweredWithAKnownCodeAndAClearMessage_andLoseNothing() throws Exception {
        Map<String, Integer> codes = new TreeMap<>();
        Map<Integer, Integer> exits = new TreeMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            String[] argv = commandLine();
            if (!safe(argv)) {
                continue;
            }
            Map<String, String> env = random.nextInt(4) == 0 ? Map.of("BIM_PASSPHRASE", junk()) : Map.of();
            Bim.Result r = Bim.run(env, config, argv);
            String shown = "seed " + SEED + " round " + round + ": bim " + describe(argv) + "\n-> " + r.code()
                    + "\nstdout: " + r.out() + "\nstderr: " + r.err();
            assertTrue(KNOWN_CODES.contains(r.code()), "an exit code outside DESIGN.md's: " + shown);
            for (String text : new String[] {r.out(), r.err()}) {
                assertFalse(text.contains("\tat ") || text.contains("Exception") || text.contains("internal error"),
                        "a stack trace or an internal error: " + shown);
                assertFalse(text.chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\t'),
                        "a raw control character reached the output: " + shown);
            }
            if (r.code() >= ExitCode.WRITE_ERROR) {
                assertTrue(r.err().startsWith("bim") && r.err().strip().length() > 10,
                        "a refusal without a message: " + shown);
            }
            codes.merge(argv.length == 0 ? "(none)" : argv[0], 1, Integer::sum);
            exits.merge(r.code(), 1, Integer::sum);
            assertIntact(shown);
        }
        System.out.println("command-line fuzz, seed " + SEED + ": exit codes " + exits);
        // The generator reached past the parser: commands ran and refused for reasons of their own.
        assertTrue(codes.size() >= 10, "the generator is too narrow: " + codes);
        assertTrue(exits.getOrDefault(0, 0) > ROUNDS / 8 && exits.containsKey(ExitCode.CHANGED)
                && exits.containsKey(ExitCode.INVALID_ARGUMENT), "too few commands ran to the end: " + exits);
    }

    @Test
    void thePassphraseItself_isNeverEchoed() {
        for (String bad : new String[] {"--passphrase=s3cret-value", "--passphrase", "--passphrasefoo=s3cret-value"}) {
            Bim.Result r = Bim.run(config, "init", bad, "s3cret-value");
            assertEquals(ExitCode.INVALID_ARGUMENT, r.code(), r.err());
            assertFalse(r.err().contains("s3cret-value") || r.out().contains("s3cret-value"), r.err());
        }
    }

    // After every command: a baseline that exists verifies, and every capture in quarantine is still whole.
    private void assertIntact(String shown) throws Exception {
        Path db = tmp.root.resolve("state/hashes.json");
        if (Files.exists(db)) {
            Bim.Result v = Bim.run(config, "verify-db");
            assertEquals(0, v.code(), "the baseline no longer verifies after " + shown + "\nverify-db: " + v.err());
        }
        Path q = tmp.root.resolve("state/quarantine");
        if (Files.isDirectory(q)) {
            try (Stream<Path> files = Files.list(q)) {
                for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
                    String meta = Files.readString(p);
                    if (!meta.contains("\"sha256\"")) {
                        fail("a quarantine record is not whole after " + shown + ": " + meta);
                    }
                }
            }
        }
        assertTrue(Files.exists(bin.resolve("su")) && Files.exists(bin.resolve("ls")),
                "a monitored file vanished after " + shown);
    }

    // Not run: the service (it runs until stopped; its own tests start and stop it), and a key pair written anywhere
    // but this test's tree (keygen's --out is the one option that names a file to create).
    private boolean safe(String[] argv) {
        String[] full = new String[argv.length + 2];
        full[0] = "--config";
        full[1] = config.toString();
        System.arraycopy(argv, 0, full, 2, argv.length);
        CommandLine line;
        try {
            line = CommandLine.parse(full);
        } catch (UsageException refused) {
            return true;
        }
        String out = line.option("--out");
        return !line.command().equals("daemon")
                && (out == null || Path.of(out).toAbsolutePath().normalize().startsWith(tmp.root));
    }

    /** Lines a user would type, each command with what it takes, then perhaps one token spoiled. */
    private String[] plausible() throws Exception {
        List<String> a = new ArrayList<>();
        switch (random.nextInt(10)) {
            case 0 -> {
                a.add("init");
                a.add("--force");
            }
            case 1 -> a.addAll(List.of("check", "--json"));
            case 2 -> {
                a.add("update");
                if (random.nextBoolean()) {
                    a.add(path());
                }
            }
            case 3 -> a.addAll(List.of("status", "--json"));
            case 4 -> a.add("verify-db");
            case 5 -> a.addAll(List.of("quarantine", pick(new String[] {"list", "release"}), path()));
            case 6 -> a.addAll(List.of("maintenance", pick(new String[] {"begin", "end", "status"}), "--reason",
                    junk()));
            case 7 -> a.addAll(List.of("lockdown", pick(new String[] {"status", "release"}), "--no-script"));
            case 8 -> {
                Path pass = Files.write(tmp.root.resolve("pass"), (junk() + "\n").getBytes(StandardCharsets.UTF_8));
                a.addAll(List.of("keygen", "--out=" + tmp.root.resolve("key" + random.nextInt(5)),
                        "--passphrase-file=" + pass));
            }
            default -> {
                // Between commands, the tree changes: check, update and quarantine then have work to do.
                Files.write(bin.resolve(pick(new String[] {"ls", "cat", "new"})), junk().getBytes(StandardCharsets.UTF_8));
                a.add("check");
            }
        }
        if (random.nextInt(3) == 0) {
            int i = random.nextInt(a.size());
            a.set(i, random.nextBoolean() ? junk() : pick(FLAGS));
        }
        return a.toArray(new String[0]);
    }

    private String[] commandLine() throws Exception {
        if (random.nextBoolean()) {
            return plausible();
        }
        List<String> a = new ArrayList<>();
        int shape = random.nextInt(10);
        if (shape == 0) {
            int n = random.nextInt(6);
            for (int i = 0; i < n; i++) {
                a.add(random.nextBoolean() ? junk() : pick(FLAGS));
            }
            return a.toArray(new String[0]);
        }
        a.add(pick(COMMANDS));
        if (random.nextInt(3) > 0) {
            a.add(pick(SUBCOMMANDS));
        }
        int extra = random.nextInt(5);
        for (int i = 0; i < extra; i++) {
            switch (random.nextInt(5)) {
                case 0, 1 -> a.add(pick(FLAGS));
                case 2 -> a.add(path());
                case 3 -> a.add(junk());
                default -> a.add(random.nextInt(a.size() + 1), pick(FLAGS));
            }
        }
        if (random.nextInt(4) == 0) {
            a.add(random.nextInt(a.size() + 1), random.nextBoolean() ? "--passphrase-file" : "--signing-key");
        }
        return a.toArray(new String[0]);
    }

    private String path() {
        return switch (random.nextInt(8)) {
            case 0 -> bin.resolve(pick(new String[] {"su", "ls", "cat", "nope"})).toString();
            case 1 -> tmp.root.resolve("state/" + pick(new String[] {"hashes.json", "bim.key", "x/y"})).toString();
            case 2 -> "../../../../" + pick(new String[] {"etc/passwd", "tmp", "usr/bin/su"});
            case 3 -> tmp.root.resolve("out-" + random.nextInt(1000)).toString();
            case 4 -> "/nonexistent/" + junk();
            case 5 -> "q-" + Long.toHexString(random.nextLong());
            case 6 -> "/";
            default -> tmp.root.toString();
        };
    }

    // A string of the kinds that break parsers: control characters, escapes, lone surrogates, huge, empty.
    private String junk() {
        return switch (random.nextInt(9)) {
            case 0 -> "";
            case 1 -> "x".repeat(1 + random.nextInt(20_000));
            case 2 -> "line\nforged: ALERT\r\u001b[2J";
            case 3 -> "\ud800lone\udfff";
            case 4 -> "\\xff\\u0000%n%s${jndi:ldap://x}";
            case 5 -> "-" + (char) random.nextInt(0x80);
            case 6 -> "=" + random.nextInt();
            case 7 -> {
                StringBuilder b = new StringBuilder();
                int n = 1 + random.nextInt(40);
                for (int i = 0; i < n; i++) {
                    b.append((char) random.nextInt(0x3000));
                }
                yield b.toString();
            }
            default -> "\u0000";
        };
    }

    private String pick(String[] choices) {
        String s = choices[random.nextInt(choices.length)];
        if (s.equals("--out") || s.equals("--signing-key") || s.equals("--passphrase-file") || s.equals("--config")) {
            // Valued options take a value only some of the time; keygen's output stays inside the test's tree.
            return random.nextBoolean() ? s : s + "=" + (s.equals("--out") ? tmp.root.resolve("k" + random.nextInt(9))
                    : path());
        }
        return s;
    }

    private static String describe(String[] argv) {
        StringBuilder b = new StringBuilder();
        for (String a : argv) {
            String shown = a.length() > 80 ? a.substring(0, 80) + "...(" + a.length() + ")" : a;
            b.append('\'').append(org.securonis.bim.core.Names.escape(shown)).append("' ");
        }
        return b.toString();
    }

}
