package org.securonis.bim.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.securonis.bim.core.Names;
import org.securonis.bim.core.SigningKey;
import org.securonis.bim.core.VerifyingKey;

/**
 * {@code bim keygen --out FILE}: makes the Ed25519 key pair of signed baselines, FILE (the private key, encrypted
 * with a passphrase, 0600) and FILE.pub. Needs no configuration: it is often run on another machine.
 */
final class KeygenCommand {

    /** A new key's passphrase is all that stands between a lost USB stick and a forged baseline. */
    static final int MIN_PASSPHRASE = 8;

    private KeygenCommand() {
    }

    static int run(CommandLine line, Map<String, String> env, PrintStream out) throws UsageException {
        String outOption = line.option("--out");
        if (outOption == null) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT, "keygen needs --out FILE: where the private key goes "
                    + "(best on removable media kept off the host); its public half goes to FILE.pub");
        }
        Path file = Path.of(outOption).toAbsolutePath();
        char[] passphrase = Passphrase.read(line, env, "the new key " + Names.escape(file.toString()), true);
        VerifyingKey pub;
        try {
            if (passphrase.length < MIN_PASSPHRASE) {
                throw new UsageException(ExitCode.INVALID_ARGUMENT, "the passphrase must have at least "
                        + MIN_PASSPHRASE + " characters; nothing was written");
            }
            pub = SigningKey.generate(file, passphrase);
        } catch (FileAlreadyExistsException e) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT, Names.escape(String.valueOf(e.getMessage())));
        } catch (IOException e) {
            throw new UsageException(ExitCode.WRITE_ERROR, "cannot write the key pair " + Names.escape(file.toString())
                    + ": " + e.getMessage());
        } finally {
            Arrays.fill(passphrase, '\0');
        }
        out.println("bim keygen: private key " + Names.escape(file.toString()) + " (encrypted, 0600)");
        out.println("bim keygen: public key  " + Names.escape(pub.file().toString()) + ", fingerprint "
                + pub.fingerprint());
        out.println("next: install the public key (root-owned, 0644) and name it in the configuration:");
        out.println("  install -m 644 -o root " + Names.escape(pub.file().toString())
                + " /etc/binary_integrity_monitor.pub");
        out.println("  [monitor] signing_public_key = \"/etc/binary_integrity_monitor.pub\"");
        out.println("then record a signed baseline: bim init --force --signing-key " + Names.escape(file.toString()));
        return ExitCode.OK;
    }
}
