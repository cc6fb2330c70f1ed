package org.securonis.bim.daemon;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** Runs one {@code bim} command in this JVM with a configuration, capturing its exit code and output. */
final class Bim {

    record Result(int code, String out, String err) {
    }

    private Bim() {
    }

    static Result run(Path config, String... args) {
        return run(Map.of(), config, args);
    }

    /** As {@link #run(Path, String...)}, with {@code env} as the whole environment the command sees. */
    static Result run(Map<String, String> env, Path config, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        String[] argv = new String[args.length + 2];
        argv[0] = "--config";
        argv[1] = config.toString();
        System.arraycopy(args, 0, argv, 2, args.length);
        int code = Main.run(argv, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8), Clock.systemUTC(), false, env);
        return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }
}
