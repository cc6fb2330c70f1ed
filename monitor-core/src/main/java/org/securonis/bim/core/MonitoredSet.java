package org.securonis.bim.core;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The files the configuration selects, each with its tier, resolved against a file system at one moment.
 *
 * <p>Each pattern's leading literal directory is resolved through symlinks once ({@code /lib} to
 * {@code /usr/lib}); below it nothing is followed, so a symlink inside the set is a member of its own
 * and a symlinked subdirectory cannot lead the walk out of the set. Files are reported under the configured
 * name. When two patterns reach the same file, the most specific tier wins: critical, then library, then system.
 */
public final class MonitoredSet {

    /**
     * A directory to watch for real-time events.
     *
     * @param path      as configured
     * @param source    with symlinks resolved
     * @param recursive true when the patterns reach into its subdirectories
     */
    public record WatchRoot(String path, Path source, boolean recursive) {
    }

    /** A pattern with the tier it gives and its resolved root. */
    private record Rule(Glob glob, Tier tier, String root, Path realRoot) {
    }

    private final FileSystem fs;
    private final List<Rule> rules;
    private final List<Glob> excludes;
    /**
     * Members kept compact (a daemon holds the set for good): the tier, and the path to read only where it differs
     * from the configured one; {@link MonitoredFile}s are made when asked for.
     */
    private record Member(Tier tier, String source) {
    }

    private final Map<String, Member> members;
    private final List<WatchRoot> roots;
    private final List<String> warnings;
    private final List<String> missing;

    private MonitoredSet(FileSystem fs, List<Rule> rules, List<Glob> excludes, Map<String, Member> members,
            List<WatchRoot> roots, List<String> warnings, List<String> missing) {
        this.fs = fs;
        this.rules = rules;
        this.excludes = excludes;
        this.members = Collections.unmodifiableMap(members);
        this.roots = List.copyOf(roots);
        this.warnings = List.copyOf(warnings);
        this.missing = List.copyOf(missing);
    }

    /** Resolves the configured patterns on {@code fs}; problems (a missing root, say) become warnings. */
    public static MonitoredSet resolve(Config.Binaries binaries, FileSystem fs) {
        return resolve(binaries, fs, DirectoryLister.JDK);
    }

    /** As {@link #resolve(Config.Binaries, FileSystem)}, listing directories with {@code lister}. */
    public static MonitoredSet resolve(Config.Binaries binaries, FileSystem fs, DirectoryLister lister) {
        return resolve(binaries, fs, lister, true, f -> { });
    }

    /**
     * As {@link #resolve(Config.Binaries, FileSystem, DirectoryLister)}, giving {@code found} each member as the walk
     * finds it (the same file {@link #files()} then holds): a sweep hashes them while the walk goes on.
     */
    public static MonitoredSet resolve(Config.Binaries binaries, FileSystem fs, DirectoryLister lister,
            java.util.function.Consumer<MonitoredFile> found) {
        return resolve(binaries, fs, lister, true, found);
    }

    /**
     * The patterns and their resolved roots without the walk: enough for {@link #watchRoots()} and
     * {@link #lookup}, with no members. The daemon installs its watches from it before the first sweep walks.
     */
    public static MonitoredSet rootsOnly(Config.Binaries binaries, FileSystem fs) {
        return resolve(binaries, fs, DirectoryLister.JDK, false, f -> { });
    }

    private static MonitoredSet resolve(Config.Binaries binaries, FileSystem fs, DirectoryLister lister,
            boolean walk, java.util.function.Consumer<MonitoredFile> onMember) {
        List<String> warnings = new ArrayList<>();
        List<Rule> rules = new ArrayList<>();
        Map<String, Path> realRoots = new HashMap<>();
        addRules(rules, binaries.criticalBinaries(), Tier.CRITICAL, fs, realRoots, warnings);
        if (binaries.includeLibraries()) {
            addRules(rules, binaries.criticalLibraries(), Tier.LIBRARY, fs, realRoots, warnings);
        }
        addRules(rules, binaries.systemBinaries(), Tier.SYSTEM, fs, realRoots, warnings);
        List<Glob> excludes = binaries.exclude().stream().map(Glob::compile).toList();

        List<String> missing = new ArrayList<>();
        // Each real file once, under the first rule (the most specific tier) that reaches it.
        java.util.Set<String> seenSources = new java.util.HashSet<>();
        // By hash while the walk adds (no ordered insert of each path, and contains() is one lookup); ordered only
        // when files() is asked for.
        Map<String, Member> members = new HashMap<>();
        for (Rule rule : walk ? rules : List.<Rule>of()) {
            if (rule.realRoot == null) {
                if (rule.glob.isExact()) {
                    missing.add(rule.glob.pattern());
                }
                continue;
            }
            Tier tier = rule.tier;
            Found found = (path, source) -> {
                if (!excluded(excludes, path, source) && seenSources.add(source)) {
                    Member m = new Member(tier, source.equals(path) ? null : source);
                    if (members.putIfAbsent(path, m) == null) {
                        onMember.accept(file(fs, path, m));
                    }
                }
            };
            if (rule.glob.isExact()) {
                // An exact path: look at that one name only, never list its directory.
                String name = fs.getPath(rule.glob.pattern()).getFileName().toString();
                if (!addIfFile(rule.realRoot.resolve(name), rule.glob.pattern(), found)) {
                    missing.add(rule.glob.pattern());
                }
            } else {
                new Walk(rule, fs, lister, found, warnings).walk(rule.glob.literalCount(), Names.of(rule.realRoot),
                        rule.root);
            }
        }
        Map<String, WatchRoot> roots = new TreeMap<>();
        for (Rule rule : rules) {
            if (rule.realRoot == null) {
                continue;
            }
            // Any wildcard above the last component, or a ** anywhere (also last), reaches into subdirectories.
            boolean recursive = rule.glob.recursive() || rule.glob.literalCount() < rule.glob.size() - 1;
            roots.merge(rule.root, new WatchRoot(rule.root, rule.realRoot, recursive),
                    (a, b) -> a.recursive() ? a : b);
        }
        return new MonitoredSet(fs, List.copyOf(rules), excludes, members, new ArrayList<>(roots.values()), warnings,
                missing);
    }

    private static void addRules(List<Rule> rules, List<String> patterns, Tier tier, FileSystem fs,
            Map<String, Path> realRoots, List<String> warnings) {
        for (String pattern : patterns) {
            Glob glob = Glob.compile(pattern);
            String root = glob.isExact() ? parentOf(glob.pattern()) : glob.literalPrefix();
            Path real = realRoots.computeIfAbsent(root, r -> {
                try {
                    return fs.getPath(r).toRealPath();
                } catch (IOException e) {
                    warnings.add(r + ": " + describe(e) + " (pattern " + pattern + " matches nothing until it exists)");
                    return null;
                }
            });
            rules.add(new Rule(glob, tier, root, real));
        }
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    private static String join(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    /** Receives each file a rule reaches: its configured name and the name it is read by. */
    private interface Found {
        void file(String path, String source);
    }

    /** The walk of one pattern below its resolved root: names as text throughout, no path object per entry. */
    private static final class Walk {
        private final Rule rule;
        private final FileSystem fs;
        private final DirectoryLister lister;
        private final Found out;
        private final List<String> warnings;

        Walk(Rule rule, FileSystem fs, DirectoryLister lister, Found out, List<String> warnings) {
            this.rule = rule;
            this.fs = fs;
            this.lister = lister;
            this.out = out;
            this.warnings = warnings;
        }

        /** Matches component {@code part} of the pattern against the entries of {@code realDir}, shown as {@code dir}. */
        void walk(int part, String realDir, String dir) {
            Glob g = rule.glob;
            if (part >= g.size()) {
                return;
            }
            boolean anyDepth = g.anyDepthAt(part);
            boolean last = part == g.size() - 1;
            if (anyDepth && !last) {
                walk(part + 1, realDir, dir);
            }
            // Where the directory is read by its own name (no symlinked root above it), one text is both names.
            boolean same = realDir.equals(dir);
            List<String> subdirs = new ArrayList<>();
            try {
                lister.list(fs, realDir, (name, directory) -> {
                    if (!anyDepth && !g.partMatches(part, name)) {
                        return;
                    }
                    if (directory) {
                        subdirs.add(name);
                    } else if (last) {
                        String shown = join(dir, name);
                        out.file(shown, same ? shown : join(realDir, name));
                    }
                });
            } catch (NoSuchFileException | NotDirectoryException e) {
                // The directory went away during the walk: its files are simply absent now.
                return;
            } catch (IOException e) {
                warnings.add(dir + ": cannot list: " + describe(e));
                return;
            }
            for (String name : subdirs) {
                String shown = join(dir, name);
                walk(anyDepth ? part : part + 1, same ? shown : join(realDir, name), shown);
            }
        }
    }

    /** Gives {@code out} the file at {@code real}, shown as {@code display}, if there is one; false when absent. */
    private static boolean addIfFile(Path real, String display, Found out) {
        try {
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory()) {
                out.file(display, Names.of(real));
                return true;
            }
        } catch (IOException e) {
            // Absent (or unreadable directory): not a member now; a later capture reports it if it was recorded.
        }
        return false;
    }

    private static boolean excluded(List<Glob> excludes, MonitoredFile f) {
        return excluded(excludes, f.path(), Names.of(f.source()));
    }

    private static boolean excluded(List<Glob> excludes, String path, String source) {
        for (Glob x : excludes) {
            if (x.matches(path) || x.matches(source)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "does not exist";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Every member, by configured path, in path order. */
    public Map<String, MonitoredFile> files() {
        Map<String, MonitoredFile> out = new LinkedHashMap<>(members.size() * 4 / 3 + 16);
        new TreeMap<>(members).forEach((path, m) -> out.put(path, file(path, m)));
        return Collections.unmodifiableMap(out);
    }

    private MonitoredFile file(String path, Member m) {
        return file(fs, path, m);
    }

    private static MonitoredFile file(FileSystem fs, String path, Member m) {
        return MonitoredFile.named(path, fs, m.source() == null ? path : m.source(), m.tier(), true);
    }

    /** Whether {@code path} was a member when the set was resolved. */
    public boolean contains(String path) {
        return members.containsKey(path);
    }

    /** The number of members. */
    public int size() {
        return members.size();
    }

    /** The directories holding members, for the real-time watcher. */
    public List<WatchRoot> watchRoots() {
        return roots;
    }

    /** What could not be resolved: missing roots, unreadable directories. */
    public List<String> warnings() {
        return warnings;
    }

    /** Exact paths (critical binaries) that do not exist now; they join the set when they appear. */
    public List<String> missing() {
        return missing;
    }

    /**
     * Whether a path (as configured, e.g. from a kernel event) belongs to the set now, and as what; answers for
     * paths that appeared after the set was resolved too.
     */
    public Optional<MonitoredFile> lookup(String path) {
        Member known = members.get(path);
        if (known != null) {
            return Optional.of(file(path, known));
        }
        String norm = Glob.normalize(path);
        for (Rule rule : rules) {
            if (rule.realRoot == null || !rule.glob.matches(norm)) {
                continue;
            }
            String rest = norm.equals(rule.root) ? "" : norm.substring(rule.root.equals("/") ? 1 : rule.root.length() + 1);
            Path source = rest.isEmpty() ? rule.realRoot : Names.path(fs, join(Names.of(rule.realRoot), rest));
            MonitoredFile f = new MonitoredFile(norm, source, rule.tier, true);
            return excluded(excludes, f) ? Optional.empty() : Optional.of(f);
        }
        return Optional.empty();
    }

    /**
     * Where a baseline path no longer in the set is read from: below the root of a pattern that covers its
     * directory, through that root's resolution (so {@code /lib/x} is read as {@code /usr/lib/x}, and a directory
     * under it that became a symlink is not gone through); elsewhere by its configured name.
     */
    public MonitoredFile outside(FileRecord record) {
        String path = Glob.normalize(record.path());
        Rule best = null;
        for (Rule rule : rules) {
            if (rule.realRoot != null && (path.startsWith(rule.root.equals("/") ? "/" : rule.root + "/"))
                    && (best == null || rule.root.length() > best.root.length())) {
                best = rule;
            }
        }
        if (best == null) {
            return new MonitoredFile(record.path(), Names.path(fs, record.path()), record.tier());
        }
        String rest = path.substring(best.root.equals("/") ? 1 : best.root.length() + 1);
        return new MonitoredFile(record.path(), Names.path(fs, join(Names.of(best.realRoot), rest)), record.tier(),
                true);
    }
}
