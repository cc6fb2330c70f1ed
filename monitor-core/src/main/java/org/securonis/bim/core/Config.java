package org.securonis.bim.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The whole configuration, immutable; built by {@link ConfigLoader} from the TOML file.
 *
 * @param source the file it was read from, or null for built-in defaults
 */
public record Config(Path source, Monitor monitor, Binaries binaries, Lockdown lockdown, Response response,
        Maintenance maintenance) {

    public Config {
        Objects.requireNonNull(maintenance, "maintenance");
        Objects.requireNonNull(monitor, "monitor");
        Objects.requireNonNull(binaries, "binaries");
        Objects.requireNonNull(lockdown, "lockdown");
        Objects.requireNonNull(response, "response");
    }

    /**
     * The {@code [monitor]} section: schedule, state locations, workers.
     *
     * @param signingPublicKey the Ed25519 public key every baseline must be signed by, or null: signing off
     */
    public record Monitor(
            int interval,
            Path quarantineDir,
            Path databasePath,
            Path logDir,
            String logLevel,
            int maxWorkers,
            Path lockdownScript,
            Path keyPath,
            int sweepMaxMbPerS,
            Path signingPublicKey) {

        public static final int MAX_WORKERS_LIMIT = 256;

        public Monitor {
            if (interval < 1) {
                throw new IllegalArgumentException("interval (" + interval + ") must be at least 1");
            }
            if (maxWorkers < 0 || maxWorkers > MAX_WORKERS_LIMIT) {
                throw new IllegalArgumentException(
                        "max_workers (" + maxWorkers + ") must be between 0 and " + MAX_WORKERS_LIMIT);
            }
            Objects.requireNonNull(quarantineDir, "quarantine_dir");
            Objects.requireNonNull(databasePath, "database_path");
            Objects.requireNonNull(logDir, "log_dir");
            Objects.requireNonNull(logLevel, "log_level");
            Objects.requireNonNull(lockdownScript, "lockdown_script");
            Objects.requireNonNull(keyPath, "key_path");
            if (signingPublicKey != null && signingPublicKey.equals(keyPath)) {
                throw new IllegalArgumentException("signing_public_key and key_path (" + keyPath + ") must be "
                        + "different files");
            }
            if (sweepMaxMbPerS < 0) {
                throw new IllegalArgumentException("sweep_max_mb_per_s (" + sweepMaxMbPerS + ") must not be negative");
            }
        }

        /** The number of hashing threads: {@code max_workers}, or the CPU count when it is 0. */
        public int workers() {
            return maxWorkers == 0 ? Runtime.getRuntime().availableProcessors() : maxWorkers;
        }

        /** The directory holding the baseline and the runtime state. */
        public Path stateDir() {
            return databasePath.getParent();
        }
    }

    /** The {@code [binaries]} section: what is monitored, as configured (absolute paths and globs). */
    public record Binaries(
            List<String> criticalBinaries,
            List<String> systemBinaries,
            boolean includeLibraries,
            List<String> criticalLibraries,
            List<String> exclude) {

        public Binaries {
            criticalBinaries = List.copyOf(criticalBinaries);
            systemBinaries = List.copyOf(systemBinaries);
            criticalLibraries = List.copyOf(criticalLibraries);
            exclude = List.copyOf(exclude);
        }
    }

    /** The {@code [lockdown]} section: host lockdown, restore, notification. */
    public record Lockdown(boolean enableLockdown, boolean autoRestoreBackup, Path backupDir, String adminEmail,
            int lockdownTimeout, List<String> keepServices) {

        public Lockdown {
            Objects.requireNonNull(backupDir, "backup_dir");
            Objects.requireNonNull(adminEmail, "admin_email");
            if (lockdownTimeout < 1) {
                throw new IllegalArgumentException("lockdown_timeout (" + lockdownTimeout + ") must be at least 1");
            }
            keepServices = List.copyOf(keepServices);
        }
    }

    /**
     * The {@code [maintenance]} section: package updates.
     *
     * @param maxDuration  seconds after which a maintenance window ends by itself
     * @param dpkgInfoDir  where dpkg keeps its per-package checksums ({@code *.md5sums}) and file lists
     */
    public record Maintenance(int maxDuration, Path dpkgInfoDir) {
        public Maintenance {
            if (maxDuration < 60 || maxDuration > 86400) {
                throw new IllegalArgumentException("max_duration (" + maxDuration + ") must be between 60 and 86400");
            }
            Objects.requireNonNull(dpkgInfoDir, "dpkg_info_dir");
        }
    }

    /**
     * The {@code [response]} section: what is done about a finding besides the alert.
     *
     * @param content        actions for a content change (created, updated) by tier
     * @param attributes     actions for attributes_modified, any tier
     * @param deleted        actions for deleted and moved, any tier
     * @param backupTiers    tiers whose known-good copies {@code init} and {@code update} keep in backup_dir
     */
    public record Response(
            int incidentWindow,
            Map<Tier, Set<ResponseAction>> content,
            Set<ResponseAction> attributes,
            Set<ResponseAction> deleted,
            Set<Tier> backupTiers,
            Path sendmail,
            long forensicsMaxBytes,
            int forensicsTimeout,
            int maxRestoresPerHour) {

        public Response {
            if (incidentWindow < 1 || incidentWindow > 600) {
                throw new IllegalArgumentException("incident_window (" + incidentWindow + ") must be between 1 and 600");
            }
            content = Map.copyOf(content);
            attributes = Set.copyOf(attributes);
            deleted = Set.copyOf(deleted);
            backupTiers = Set.copyOf(backupTiers);
            Objects.requireNonNull(sendmail, "sendmail");
            for (Tier t : Tier.values()) {
                if (!content.containsKey(t)) {
                    throw new IllegalArgumentException("response actions for tier " + t.label() + " are missing");
                }
            }
        }

        /** The actions for {@code finding} under this configuration. */
        public Set<ResponseAction> actionsFor(Finding finding) {
            return switch (finding.action()) {
                case CREATED, UPDATED -> content.get(finding.tier());
                case ATTRIBUTES_MODIFIED -> attributes;
                case DELETED, MOVED -> deleted;
                case BASELINE_TAMPERED -> content.get(Tier.CRITICAL);
            };
        }
    }
}
