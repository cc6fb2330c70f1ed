package org.securonis.bim.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Recording stand-ins for the lockdown script and sendmail: each call appends its arguments (and for the mailer
 * its message) to a file, so tests can count calls. No test ever points the daemon at the real lockdown script.
 */
final class Fakes {

    final Path lockdown;
    final Path sendmail;
    final Path lockdownCalls;
    final Path mails;

    private Fakes(Path dir) {
        this.lockdown = dir.resolve("fake-lockdown.sh");
        this.sendmail = dir.resolve("fake-sendmail");
        this.lockdownCalls = dir.resolve("lockdown-calls.txt");
        this.mails = dir.resolve("mails.txt");
    }

    static Fakes in(Path dir) throws IOException {
        Files.createDirectories(dir);
        Fakes f = new Fakes(dir);
        script(f.lockdown, "#!/bin/sh\necho \"$@\" >> '" + f.lockdownCalls + "'\necho 'lockdown: fake: ok'\n");
        script(f.sendmail, "#!/bin/sh\n{ echo \"ARGS: $*\"; cat; echo '--END--'; } >> '" + f.mails + "'\n");
        return f;
    }

    private static void script(Path p, String body) throws IOException {
        Files.writeString(p, body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    }

    /** TOML lines for [monitor] that point the lockdown script at the fake. */
    String monitorLines() {
        return "lockdown_script = \"" + lockdown + "\"\n";
    }

    /**
     * A [monitor] section that keeps every file the monitor writes under {@code root} (baseline, state, seal key,
     * logs, quarantine) and points the lockdown script at the fake; more [monitor] lines may follow it.
     */
    String monitorSection(Path root) {
        return "[monitor]\n" + monitorLines()
                + "database_path = \"" + root.resolve("state/hashes.json") + "\"\n"
                + "key_path = \"" + root.resolve("state/bim.key") + "\"\n"
                + "log_dir = \"" + root.resolve("state/log") + "\"\n"
                + "quarantine_dir = \"" + root.resolve("state/quarantine") + "\"\n";
    }

    /** The [response] sendmail line. */
    String sendmailLine() {
        return "sendmail = \"" + sendmail + "\"\n";
    }

    List<String> lockdownCalls() throws IOException {
        return Files.exists(lockdownCalls) ? Files.readAllLines(lockdownCalls) : List.of();
    }

    long mailCount() throws IOException {
        return Files.exists(mails) ? Files.readAllLines(mails).stream().filter(l -> l.equals("--END--")).count() : 0;
    }

    String mailText() throws IOException {
        return Files.exists(mails) ? Files.readString(mails) : "";
    }
}
