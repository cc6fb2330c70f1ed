package org.securonis.bim.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Builds a fake {@code /proc} tree on disk: status, cmdline, exe, maps and fd entries per pid. */
final class ProcFake {

    final Path root;

    ProcFake(Path root) throws IOException {
        this.root = Files.createDirectories(root);
    }

    /** A process with a status file ({@code Name}, {@code State}, {@code PPid}, {@code Uid}) and a cmdline. */
    Path process(long pid, long ppid, long uid, String name, String... argv) throws IOException {
        Path dir = Files.createDirectories(root.resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("status"), "Name:\t" + name + "\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t"
                + pid + "\nPid:\t" + pid + "\nPPid:\t" + ppid + "\nUid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid
                + "\nGid:\t0\t0\t0\t0\n");
        StringBuilder cmd = new StringBuilder();
        for (String a : argv) {
            cmd.append(a).append('\0');
        }
        Files.write(dir.resolve("cmdline"), cmd.toString().getBytes(StandardCharsets.UTF_8));
        Files.createDirectories(dir.resolve("fd"));
        return dir;
    }

    void exe(long pid, Path target) throws IOException {
        Files.createSymbolicLink(root.resolve(pid + "/exe"), target);
    }

    /** An fd symlink; {@code target} may be a file or text like "socket:[1234]" (a dangling link). */
    void fd(long pid, int fd, String target) throws IOException {
        Files.createSymbolicLink(root.resolve(pid + "/fd/" + fd), root.getFileSystem().getPath(target));
    }

    void maps(long pid, String... lines) throws IOException {
        Files.writeString(root.resolve(pid + "/maps"), String.join("\n", lines) + "\n");
    }

    void file(String name, String content) throws IOException {
        Path p = root.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    /** A maps line for a file on {@code dev} (a st_dev) and {@code inode}, decoded here independently. */
    static String mapsLine(long dev, long inode, String path) {
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        return String.format("7f0000000000-7f0000001000 r-xp 00000000 %02x:%02x %d                 %s",
                major, minor, inode, path);
    }

    /** st_dev and st_ino of a real file. */
    static long[] devIno(Path file) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino");
        return new long[] {((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue()};
    }

    static final String TCP = String.join("\n",
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
            "   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1 "
                    + "0000000000000000 100 0 0 10 0",
            "   1: 0F02000A:A2C4 2200A8C0:01BB 01 00000000:00000000 02:000A7B3C 00000000  1000        0 99 2 "
                    + "0000000000000000 20 4 30 10 -1",
            "");
}
