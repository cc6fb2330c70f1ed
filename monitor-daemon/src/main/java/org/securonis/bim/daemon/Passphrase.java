package org.securonis.bim.daemon;

import java.io.Console;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.securonis.bim.core.Names;

/**
 * Where a private key's passphrase comes from: {@code --passphrase-file FILE} (its first line), else
 * {@code $BIM_PASSPHRASE}, else the terminal. Never the command line, which every user can read in ps.
 */
final class Passphrase {

    static final String ENV = "BIM_PASSPHRASE";
    /** A passphrase file is one line; a larger file is the wrong file. */
    private static final int MAX_BYTES = 4096;

    private Passphrase() {
    }

    /**
     * The passphrase for {@code what} ("the private key FILE"), asked twice on the terminal when {@code confirm}
     * (a new key); refused (exit 15) when it is empty or there is no source. The caller clears the array.
     */
    static char[] read(CommandLine line, Map<String, String> env, String what, boolean confirm) throws UsageException {
        String file = line.option("--passphrase-file");
        if (file != null) {
            return fromFile(Path.of(file));
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null) {
            if (fromEnv.isEmpty()) {
                throw new UsageException(ExitCode.INVALID_ARGUMENT, "$" + ENV + " is set but empty");
            }
            return fromEnv.toCharArray();
        }
        Console console = System.console();
        if (console == null) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT, "no passphrase for " + what + ": give "
                    + "--passphrase-file FILE or set $" + ENV + " (there is no terminal to ask on)");
        }
        char[] p = console.readPassword("passphrase for %s: ", what);
        if (p == null || p.length == 0) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT, "no passphrase given");
        }
        if (confirm) {
            char[] again = console.readPassword("the same passphrase again: ");
            boolean same = Arrays.equals(p, again);
            if (again != null) {
                Arrays.fill(again, '\0');
            }
            if (!same) {
                Arrays.fill(p, '\0');
                throw new UsageException(ExitCode.INVALID_ARGUMENT, "the two passphrases differ; nothing was written");
            }
        }
        return p;
    }

    private static char[] fromFile(Path file) throws UsageException {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new UsageException(ExitCode.INVALID_ARGUMENT, "--passphrase-file " + Names.escape(file.toString())
                        + " is larger than " + MAX_BYTES + " bytes: not a passphrase file");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT, "--passphrase-file " + Names.escape(file.toString())
                    + ": no such file");
        } catch (IOException e) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT, "cannot read --passphrase-file "
                    + Names.escape(file.toString()) + ": " + e.getMessage());
        }
        int end = 0;
        while (end < bytes.length && bytes[end] != '\n') {
            end++;
        }
        if (end > 0 && bytes[end - 1] == '\r') {
            end--;
        }
        char[] out;
        try {
            var chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, end));
            out = new char[chars.remaining()];
            chars.get(out);
            Arrays.fill(chars.array(), '\0');
        } catch (CharacterCodingException e) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT, "--passphrase-file " + Names.escape(file.toString())
                    + " is not UTF-8 text");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        if (out.length == 0) {
            throw new UsageException(ExitCode.INVALID_ARGUMENT, "--passphrase-file " + Names.escape(file.toString())
                    + ": its first line is empty");
        }
        return out;
    }
}
