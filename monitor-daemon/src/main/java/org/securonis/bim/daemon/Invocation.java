package org.securonis.bim.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import org.securonis.bim.core.Baseline;
import org.securonis.bim.core.BaselineException;
import org.securonis.bim.core.BaselineSeal;
import org.securonis.bim.core.BaselineStore;
import org.securonis.bim.core.Config;
import org.securonis.bim.core.ConfigException;
import org.securonis.bim.core.ConfigLoader;
import org.securonis.bim.core.Inspector;
import org.securonis.bim.core.MonitoredSet;
import org.securonis.bim.core.Names;
import org.securonis.bim.core.SigningKey;
import org.securonis.bim.core.Source;
import org.securonis.bim.core.Sweep;
import org.securonis.bim.core.SweepProgress;
import org.securonis.bim.core.SweepResult;
import org.securonis.bim.core.Verifier;
import org.securonis.bim.core.VerifyingKey;

/**
 * One run of a command: the parsed line, the loaded configuration, the clock and the output streams, with the
 * steps every command shares (load the baseline, resolve the set, sweep with progress).
 */
final class Invocation {

    static final String DEFAULT_CONFIG = "/etc/binary_integrity_monitor.toml";

    final CommandLine line;
    final Config config;
    final Clock clock;
    final PrintStream out;
    final PrintStream err;
    final boolean progress;
    /** The environment ($BIM_PASSPHRASE); the process's own, or a test's. */
    final Map<String, String> env;
    private VerifyingKey verifyingKey;
    private BaselineStore writer;

    private Invocation(CommandLine line, Config config, Clock clock, PrintStream out, PrintStream err,
            boolean progress, Map<String, String> env) {
        this.line = line;
        this.config = config;
        this.clock = clock;
        this.out = out;
        this.err = err;
        this.progress = progress;
        this.env = env;
    }

    /** Loads the configuration named on the line (or the default file, or the built-in defaults). */
    static Invocation open(CommandLine line, Clock clock, PrintStream out, PrintStream err, boolean terminal)
            throws UsageException {
        return open(line, clock, out, err, terminal, System.getenv());
    }

    /** As {@link #open(CommandLine, Clock, PrintStream, PrintStream, boolean)}, with the environment given. */
    static Invocation open(CommandLine line, Clock clock, PrintStream out, PrintStream err, boolean terminal,
            Map<String, String> env) throws UsageException {
        Config config;
        try {
            if (line.config() != null) {
                config = ConfigLoader.load(Path.of(line.config()).toAbsolutePath());
            } else if (Files.exists(Path.of(DEFAULT_CONFIG))) {
                config = ConfigLoader.load(Path.of(DEFAULT_CONFIG));
            } else {
                config = ConfigLoader.defaults(FileSystems.getDefault());
            }
        } catch (ConfigException e) {
            StringBuilder sb = new StringBuilder("configuration refused:");
            for (String p : e.problems()) {
                sb.append("\n  ").append(Names.escape(p));
            }
            throw new UsageException(ExitCode.CONFIG_ERROR, sb.toString());
        }
        return new Invocation(line, config, clock, out, err, terminal && !line.has("--no-progress"), env);
    }

    /** Where the configuration came from, for messages. */
    String configName() {
        return config.source() == null ? "built-in defaults (" + DEFAULT_CONFIG + " does not exist)"
                : config.source().toString();
    }

    /** The baseline file without its seal: for existence and the writers' lock. */
    BaselineStore store() {
        return new BaselineStore(config.monitor().databasePath());
    }

    /** The seal key (it must exist) or, {@code forWriting}, the seal key created when it is missing. */
    private BaselineSeal seal(boolean forWriting) throws UsageException {
        Path key = config.monitor().keyPath();
        try {
            return forWriting ? BaselineSeal.loadOrCreate(key) : BaselineSeal.load(key);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UsageException(ExitCode.IO_ERROR, "the seal key " + key + " (monitor.key_path) is missing, so "
                    + "the baseline cannot be verified; if it is lost, record a new baseline with `bim init --force`");
        } catch (java.nio.file.FileSystemException e) {
            // Creating the key failed (a read-only file system, no permission): a write error, said as one.
            String reason = e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
            throw new UsageException(forWriting ? ExitCode.WRITE_ERROR : ExitCode.IO_ERROR, "cannot "
                    + (forWriting ? "create" : "read") + " the seal key " + key + " (monitor.key_path in "
                    + configName() + "): " + Names.escape(reason) + "; point key_path at a writable, root-only place");
        } catch (IOException e) {
            throw new UsageException(ExitCode.CONFIG_ERROR, Names.escape(String.valueOf(e.getMessage())));
        }
    }

    /** Whether baselines must be signed: {@code monitor.signing_public_key} is set. */
    boolean signing() {
        return config.monitor().signingPublicKey() != null;
    }

    /** The public key every baseline must be signed by, loaded once; null when signing is off. */
    VerifyingKey verifyingKey() throws UsageException {
        Path file = config.monitor().signingPublicKey();
        if (file == null || verifyingKey != null) {
            return verifyingKey;
        }
        try {
            verifyingKey = VerifyingKey.load(file);
            return verifyingKey;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UsageException(ExitCode.IO_ERROR, "the signing public key " + file + " (monitor."
                    + "signing_public_key in " + configName() + ") is missing, so the baseline cannot be verified");
        } catch (IOException e) {
            throw new UsageException(ExitCode.CONFIG_ERROR, Names.escape(String.valueOf(e.getMessage())));
        }
    }

    /** The store that verifies the seal (the key must exist) and, with signing on, the signature on every load. */
    BaselineStore verifyingStore() throws UsageException {
        VerifyingKey pub = verifyingKey();
        return new BaselineStore(config.monitor().databasePath(), seal(false), pub);
    }

    /**
     * The store accepted changes are written through, prepared once: with signing on, the private key of
     * {@code --signing-key} decrypted with its passphrase and checked against {@code signing_public_key}; then the
     * seal key (created when missing). Commands call it before they change anything: a refusal (exit 15) leaves
     * every file as it was.
     */
    BaselineStore writingStore() throws UsageException {
        if (writer != null) {
            return writer;
        }
        String keyFile = line.option("--signing-key");
        if (keyFile == null && line.option("--passphrase-file") != null) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT, "--passphrase-file is the passphrase of "
                    + "--signing-key FILE, which is not given");
        }
        VerifyingKey pub = verifyingKey();
        Path db = config.monitor().databasePath();
        if (pub == null) {
            if (keyFile != null) {
                throw new UsageException(ExitCode.INVALID_ARGUMENT, "--signing-key is given, but signing is off: set "
                        + "[monitor] signing_public_key in " + configName() + " to the key's .pub file first");
            }
            writer = new BaselineStore(db, seal(true));
            return writer;
        }
        if (keyFile == null) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT, "the baseline is signed (signing_public_key "
                    + pub.file() + ", key " + pub.fingerprint() + "): accepting changes needs the private key; give "
                    + "--signing-key FILE (and its passphrase). Nothing was changed");
        }
        Path file = Path.of(keyFile).toAbsolutePath();
        char[] passphrase = Passphrase.read(line, env, "the private key " + Names.escape(file.toString()), false);
        SigningKey key;
        try {
            key = SigningKey.load(file, passphrase, pub);
        } catch (IOException e) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT, "--signing-key refused: "
                    + Names.escape(String.valueOf(e.getMessage())) + ". Nothing was changed");
        } finally {
            Arrays.fill(passphrase, '\0');
        }
        writer = new BaselineStore(db, seal(true), key);
        return writer;
    }

    /** Loads and verifies the baseline or fails with exit code 18 and the loader's message. */
    Baseline loadBaseline() throws UsageException {
        if (!store().exists()) {
            throw new UsageException(ExitCode.IO_ERROR, config.monitor().databasePath()
                    + ": no baseline here (record one with `bim init`)");
        }
        try {
            return verifyingStore().load();
        } catch (org.securonis.bim.core.SealException e) {
            throw new UsageException(ExitCode.IO_ERROR, "BASELINE TAMPERED: " + Names.escape(e.getMessage()));
        } catch (BaselineException e) {
            throw new UsageException(ExitCode.IO_ERROR, Names.escape(e.getMessage()));
        }
    }

    private static boolean isRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Creates the state directory (0700) or explains which path cannot be written and what to do. */
    void ensureStateDir() throws UsageException {
        Path dir = config.monitor().stateDir();
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
            if (!Files.isWritable(dir)) {
                throw new AccessDeniedException(dir.toString());
            }
        } catch (IOException e) {
            String reason = e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : String.valueOf(e.getMessage());
            throw new UsageException(ExitCode.WRITE_ERROR, "cannot write " + dir + " (the directory of "
                    + "monitor.database_path in " + configName() + "): " + reason + ". "
                    + (isRoot() ? "Copy " : "Run as root, or copy ")
                    + "etc/binary_integrity_monitor.toml, point database_path, log_dir and quarantine_dir at "
                    + "directories you can write, and pass it with --config FILE");
        }
    }

    /** Resolves the monitored set, printing its warnings to stderr. */
    MonitoredSet resolveSet() {
        return resolveSet(f -> { });
    }

    /** As {@link #resolveSet()}, giving {@code found} each member as the walk finds it. */
    MonitoredSet resolveSet(java.util.function.Consumer<org.securonis.bim.core.MonitoredFile> found) {
        MonitoredSet set = MonitoredSet.resolve(config.binaries(), FileSystems.getDefault(), NativeLister.best(),
                found);
        for (String w : set.warnings()) {
            err.println("bim: warning: " + Names.escape(w));
        }
        return set;
    }

    /** Resolves the monitored set without printing; the caller logs its warnings. */
    MonitoredSet resolveQuietly() {
        return MonitoredSet.resolve(config.binaries(), FileSystems.getDefault(), NativeLister.best());
    }

    /** The inspector every command hashes with: native opens where the binding loads. */
    Inspector inspector() {
        return new Inspector(clock, null, NativeOpener.best());
    }

    /** Sweeps {@code set} against {@code baseline}, with a progress line on a terminal, keeping every capture. */
    SweepResult sweep(MonitoredSet set, Baseline baseline, String verb) throws UsageException {
        return sweep(found -> {
            set.files().values().forEach(found);
            return set;
        }, java.util.concurrent.CompletableFuture.completedFuture(baseline), verb, true);
    }

    /**
     * Sweeps the set {@code walk} resolves against the baseline {@code baseline} gives, with a progress line on a
     * terminal: {@code walk} gives each member it finds to the consumer (hashed at once) and returns the whole set,
     * while the baseline may still be loading; a failure to load it ends the sweep with its own error (a
     * {@link UsageException} it threw). Without {@code keepObservations} only findings and problems are kept, for a
     * command that accepts nothing (a capture of every file held to the end is most of its heap).
     */
    SweepResult sweep(java.util.function.Function<java.util.function.Consumer<org.securonis.bim.core.MonitoredFile>,
            MonitoredSet> walk, java.util.concurrent.Future<Baseline> baseline, String verb, boolean keepObservations)
            throws UsageException {
        Verifier verifier = new Verifier(inspector(), clock);
        Sweep sweep = new Sweep(verifier, config.monitor().workers(), clock);
        SweepProgress p = new SweepProgress();
        try (ProgressLine bar = progress ? ProgressLine.start(err, p, verb, clock) : null) {
            Sweep.Running running = sweep.start(baseline, Source.SWEEP, p, keepObservations);
            MonitoredSet set;
            try {
                set = walk.apply(running::offer);
            } catch (RuntimeException | Error e) {
                running.abandon();
                throw e;
            }
            return running.finish(set);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            if (cause instanceof UsageException u) {
                throw u;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error x) {
                throw x;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageException(ExitCode.IO_ERROR, "interrupted");
        }
    }

    /** Saves {@code baseline} through {@link #writingStore} or fails with exit code 14 (the old file stays whole). */
    void save(Baseline baseline) throws UsageException {
        BaselineStore store = writingStore();
        try {
            store.save(baseline);
        } catch (IOException e) {
            throw new UsageException(ExitCode.WRITE_ERROR, "cannot write the baseline "
                    + config.monitor().databasePath() + ": " + e.getMessage() + " (the previous baseline is intact)");
        }
    }

    /** Takes the baseline writers' lock, or fails with exit code 14. */
    AutoCloseable lock() throws UsageException {
        try {
            return store().lock();
        } catch (IOException e) {
            throw new UsageException(ExitCode.WRITE_ERROR, "cannot lock the baseline "
                    + config.monitor().databasePath() + ": " + e.getMessage());
        }
    }
}
