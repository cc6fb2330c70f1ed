package org.securonis.bim.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Checks changed files against dpkg's own records ({@code <info>/*.md5sums}: "md5  path" per line, and
 * {@code <info>/*.list}: the files each package owns), as {@code dpkg --verify} does. A change is accepted only
 * when a package vouches for the new state: its content matches that package's checksum, a symlink is owned by
 * a package and points to a file that matches, a deleted file is owned by no package any more. Set-id bits that
 * appear are never accepted here (dpkg records no modes to check them against).
 */
public final class DpkgVerifier {

    /**
     * The judgement on one change.
     *
     * @param pkg the package that vouches for (or disowns) it, or null
     */
    public record Verdict(boolean accepted, String reason, String pkg) {
    }

    private record Sum(String md5, String pkg) {
    }

    private final Path infoDir;
    private Map<String, Sum> sums;
    private Map<String, String> owners;

    public DpkgVerifier(Path infoDir) {
        this.infoDir = infoDir;
    }

    /** Reads every package's checksums and file list (once). */
    private void load() throws IOException {
        if (sums != null) {
            return;
        }
        Map<String, Sum> s = new HashMap<>();
        Map<String, String> o = new HashMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(infoDir)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (name.endsWith(".md5sums")) {
                    String pkg = name.substring(0, name.length() - ".md5sums".length());
                    for (String line : lines(p)) {
                        int sp = line.indexOf("  ");
                        if (sp == 32) {
                            s.put("/" + line.substring(34), new Sum(line.substring(0, 32).toLowerCase(), pkg));
                        }
                    }
                } else if (name.endsWith(".list")) {
                    String pkg = name.substring(0, name.length() - ".list".length());
                    for (String line : lines(p)) {
                        if (line.startsWith("/")) {
                            o.put(line, pkg);
                        }
                    }
                }
            }
        }
        sums = s;
        owners = o;
    }

    /**
     * The lines of a dpkg list, each decoded as our paths are: dpkg keeps a file's name as the package's bytes,
     * and a name that is not UTF-8 (an old package's Latin-1 one) must still match, not spoil the whole file.
     */
    private static List<String> lines(Path p) throws IOException {
        byte[] b = Files.readAllBytes(p);
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= b.length; i++) {
            if (i == b.length || b[i] == '\n') {
                if (i > start) {
                    out.add(Names.fromBytes(java.util.Arrays.copyOfRange(b, start, i)));
                }
                start = i + 1;
            }
        }
        return out;
    }

    /** The names dpkg may know a path by on a merged-/usr system (/bin and /usr/bin are one directory). */
    static List<String> aliases(String path) {
        List<String> out = new ArrayList<>(List.of(path));
        String[][] pairs = {{"/usr/bin/", "/bin/"}, {"/usr/sbin/", "/sbin/"}, {"/usr/lib/", "/lib/"},
                {"/usr/lib64/", "/lib64/"}};
        for (String[] pair : pairs) {
            if (path.startsWith(pair[0])) {
                out.add(pair[1] + path.substring(pair[0].length()));
            } else if (path.startsWith(pair[1])) {
                out.add(pair[0] + path.substring(pair[1].length()));
            }
        }
        return out;
    }

    private Sum sumOf(String path, Path file) {
        for (String a : aliases(path)) {
            Sum s = sums.get(a);
            if (s != null) {
                return s;
            }
        }
        try {
            String real = file.toRealPath().toString();
            for (String a : aliases(real)) {
                Sum s = sums.get(a);
                if (s != null) {
                    return s;
                }
            }
        } catch (IOException e) {
            // Gone or unreadable: no checksum to find by its real name.
        }
        return null;
    }

    private String ownerOf(String path) {
        for (String a : aliases(path)) {
            String pkg = owners.get(a);
            if (pkg != null) {
                return pkg;
            }
        }
        return null;
    }

    /** Judges one finding; {@code file} is where the path is read. */
    public Verdict verify(Finding f, Path file) throws IOException {
        load();
        FileRecord now = f.current();
        FileRecord before = f.previous();
        if (now == null) {
            String pkg = ownerOf(f.path());
            return pkg == null ? new Verdict(true, "removed, and no package owns it any more", null)
                    : new Verdict(false, "removed, but package " + pkg + " still lists it", pkg);
        }
        int setIdBefore = before == null ? 0 : before.mode() & 06000;
        if ((now.mode() & 06000 & ~setIdBefore) != 0) {
            return new Verdict(false, "set-id bits appeared (mode " + now.modeString() + "): never accepted without "
                    + "review", null);
        }
        if (now.type() == FileType.SYMLINK) {
            String pkg = ownerOf(f.path());
            if (pkg == null) {
                return new Verdict(false, "a symlink no package owns", null);
            }
            Path target;
            try {
                target = file.toRealPath();
            } catch (IOException e) {
                return new Verdict(false, "a symlink of package " + pkg + " that points nowhere", pkg);
            }
            Sum s = sumOf(target.toString(), target);
            if (s == null || !s.md5().equals(md5(target))) {
                return new Verdict(false, "a symlink of package " + pkg + " to " + target
                        + ", which no package checksum vouches for", pkg);
            }
            return new Verdict(true, "symlink of package " + pkg + " to " + target + " (matches " + s.pkg() + ")", pkg);
        }
        if (now.type() != FileType.FILE) {
            return new Verdict(false, "a " + now.type().label() + ": packages do not install those here", null);
        }
        Sum s = sumOf(f.path(), file);
        if (s == null) {
            return new Verdict(false, "no package has a checksum for it", ownerOf(f.path()));
        }
        String got = md5(file);
        return got.equals(s.md5()) ? new Verdict(true, "matches the checksum of package " + s.pkg(), s.pkg())
                : new Verdict(false, "does not match the checksum of package " + s.pkg() + " (md5 " + got + ", "
                        + "expected " + s.md5() + ")", s.pkg());
    }

    private static String md5(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) {
                md.update(buf, 0, r);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
