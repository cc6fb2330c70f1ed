package org.securonis.bim.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etc/bim, the launcher, with a stand-in for java that prints the options it was given: which JVM options each
 * command gets, and that a class-data archive or JIT directives file is used only when it is current and nobody
 * but its owner (root or the caller) can write it — both are things the JVM acts on.
 */
class LauncherScriptTest {

    private static final Path ETC = Path.of("").toAbsolutePath().resolve("../etc").normalize();

    @TempDir
    Path tmp;

    private Path launcher;
    private Path jar;
    private Path fakeJava;

    @BeforeEach
    void install() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        launcher = Files.copy(ETC.resolve("bim"), bin.resolve("bim"));
        Files.copy(ETC.resolve("bim-jit.json"), bin.resolve("bim-jit.json"));
        Files.setPosixFilePermissions(bin.resolve("bim-jit.json"), PosixFilePermissions.fromString("rw-r--r--"));
        jar = Files.writeString(Files.createDirectories(tmp.resolve("lib")).resolve("bim.jar"), "not a real jar");
        fakeJava = Files.writeString(bin.resolve("java"), "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private List<String> options(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("sh", launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("JAVA", fakeJava.toString());
        env.put("BIM_JAR", jar.toString());
        env.remove("BIM_JAVA_OPTS");
        env.remove("BIM_CDS_DUMP");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return List.of(out.split("\n"));
    }

    private static boolean has(List<String> options, String prefix) {
        return options.stream().anyMatch(o -> o.startsWith(prefix));
    }

    @Test
    void oneShotCommands_compileOnlyTheDigestWithC2_theDaemonKeepsTheUsualCompilers() throws Exception {
        List<String> check = options("--config", "/x.toml", "check");
        assertTrue(check.contains("-XX:CompilerDirectivesFile=" + tmp.resolve("bin/bim-jit.json")), check.toString());
        assertTrue(check.contains("-XX:+UnlockDiagnosticVMOptions"), check.toString());
        assertEquals(List.of("-jar", jar.toString(), "--config", "/x.toml", "check"),
                check.subList(check.size() - 5, check.size()), "the jar and the arguments come last, as given");
        List<String> daemon = options("--config", "/x.toml", "daemon");
        assertFalse(has(daemon, "-XX:CompilerDirectivesFile"), daemon.toString());
        assertTrue(daemon.contains("-Xms32m"), "the daemon gives its heap back: " + daemon);
        assertTrue(daemon.contains("-XX:+UseSerialGC") && check.contains("-XX:+UseParallelGC"),
                "one collector thread for the daemon, both cores for a check: " + daemon + " " + check);
        // The command word, not any word: a path named "daemon" given to update, or a configuration in a directory
        // of that name, is no daemon.
        assertFalse(options("update", "/usr/bin/daemon").contains("-Xms32m"));
        assertFalse(options("--config", "daemon", "check").contains("-Xms32m"));
        assertTrue(options("--config", "/x.toml", "--no-progress", "daemon", "--dry-run").contains("-Xms32m"));
    }

    @Test
    void withTheRealJvm_stdoutCarriesOnlyTheProgramsOutput_andRunningOutOfMemoryIsSaid() throws Exception {
        // A stand-in program, run by the real java through the launcher with the real directives file.
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("Hello.java"), "public class Hello { public static void main(String[] a) {"
                + " if (java.util.Arrays.asList(a).contains(\"oom\")) { java.util.List<long[]> l = new java.util.ArrayList<>();"
                + " while (true) l.add(new long[1 << 20]); } System.out.println(\"{\\\"ok\\\":true}\"); } }");
        assertEquals(0, javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d",
                src.toString(), src.resolve("Hello.java").toString()));
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest())) {
            out.putNextEntry(new java.util.jar.JarEntry("Hello.class"));
            out.write(Files.readAllBytes(src.resolve("Hello.class")));
        }
        ProcessBuilder pb = new ProcessBuilder("sh", launcher.toString(), "check");
        pb.environment().put("BIM_JAR", jar.toString());
        pb.environment().remove("JAVA");
        pb.environment().remove("BIM_JAVA_OPTS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), err);
        assertEquals("{\"ok\":true}\n", out, "nothing of the JVM's on stdout (stderr: " + err + ")");

        pb = new ProcessBuilder("sh", launcher.toString(), "check", "oom");
        pb.environment().put("BIM_JAR", jar.toString());
        pb.environment().put("BIM_JAVA_OPTS", "-Xmx32m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError");
        p = pb.start();
        p.getInputStream().readAllBytes();
        err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue(), "killed, not exit 3 (a check's 'added and removed'): " + err);
        assertTrue(err.contains("bim: out of memory"), err);
    }

    private static java.util.jar.Manifest manifest() {
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MAIN_CLASS, "Hello");
        return m;
    }

    @Test
    void directivesAnyoneElseCanWrite_areNotUsed() throws Exception {
        Files.setPosixFilePermissions(tmp.resolve("bin/bim-jit.json"), PosixFilePermissions.fromString("rw-rw-r--"));
        assertFalse(has(options("check"), "-XX:CompilerDirectivesFile"));
        Files.setPosixFilePermissions(tmp.resolve("bin/bim-jit.json"), PosixFilePermissions.fromString("rw-r--rw-"));
        assertFalse(has(options("check"), "-XX:CompilerDirectivesFile"));
        // Installed beside the jar, that copy is the one taken.
        Path beside = Files.copy(ETC.resolve("bim-jit.json"), tmp.resolve("lib/bim-jit.json"));
        Files.setPosixFilePermissions(beside, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(options("check").contains("-XX:CompilerDirectivesFile=" + beside));
    }

    @Test
    void aClassDataArchive_isUsedOnlyWhenNewerThanTheJar_andWritableByItsOwnerAlone() throws Exception {
        Path jsa = Files.writeString(tmp.resolve("lib/bim.jsa"), "archive");
        Files.setPosixFilePermissions(jsa, PosixFilePermissions.fromString("rw-r--r--"));
        Path size = Files.writeString(tmp.resolve("lib/bim.jsa.size"), "7\n");
        Files.setPosixFilePermissions(size, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
        Files.setLastModifiedTime(jsa, FileTime.from(Instant.parse("2026-01-02T00:00:00Z")));
        List<String> used = options("check");
        assertTrue(used.contains("-XX:SharedArchiveFile=" + jsa), used.toString());
        assertTrue(used.contains("-XX:+VerifySharedSpaces"), "a damaged archive is refused by the JVM: " + used);

        Files.setPosixFilePermissions(jsa, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertFalse(has(options("check"), "-XX:SharedArchiveFile"), "world-writable");
        Files.setPosixFilePermissions(jsa, PosixFilePermissions.fromString("rw-r--r--"));
        // Cut short (a JVM that maps it dies of SIGBUS), or no size recorded: not used.
        Files.writeString(jsa, "arch");
        Files.setLastModifiedTime(jsa, FileTime.from(Instant.parse("2026-01-02T00:00:00Z")));
        assertFalse(has(options("check"), "-XX:SharedArchiveFile"), "shorter than recorded");
        Files.writeString(jsa, "archive");
        Files.setLastModifiedTime(jsa, FileTime.from(Instant.parse("2026-01-02T00:00:00Z")));
        assertTrue(has(options("check"), "-XX:SharedArchiveFile"));
        Files.delete(size);
        assertFalse(has(options("check"), "-XX:SharedArchiveFile"), "no size recorded");
        Files.writeString(size, "7\n");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2026-01-03T00:00:00Z")));
        assertFalse(has(options("check"), "-XX:SharedArchiveFile"), "older than the jar: made for another build");
    }

    @Test
    void aDumpRun_writesTheArchiveAsked() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", launcher.toString(), "check").redirectErrorStream(true);
        pb.environment().put("JAVA", fakeJava.toString());
        pb.environment().put("BIM_JAR", jar.toString());
        pb.environment().put("BIM_CDS_DUMP", tmp.resolve("out.jsa").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertTrue(out.contains("-XX:ArchiveClassesAtExit=" + tmp.resolve("out.jsa")), out);
    }
}
