package org.securonis.bim.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads processes out of a {@code /proc} tree (the real one, or a fake one in tests): the process list, the
 * processes that use a file, and which processes own which socket inodes.
 *
 * <p>Processes vanish between a directory listing and the next read all the time: a vanished process is skipped
 * silently, one that cannot be read is counted and reported once, nothing here throws for a single process.
 * Stateless apart from its errors, so one scanner serves one scan on one thread.
 */
final class ProcScanner {

    static final int MAX_CMDLINE = 4096;
    static final int MAX_STATUS = 1 << 14;
    static final int MAX_PARENTS = 64;
    private static final String DELETED = " (deleted)";

    private final Path proc;
    private final Clock clock;
    private final Instant deadline;
    private final Set<Long> denied = new TreeSet<>();
    private final Map<Long, Long> ppids = new HashMap<>();
    private boolean expired;

    /** A scanner that stops looking at further processes once {@code clock} passes {@code deadline}. */
    ProcScanner(Path proc, Clock clock, Instant deadline) {
        this.proc = proc;
        this.clock = clock;
        this.deadline = deadline;
    }

    /** The process list and the socket inode → pids map, from one pass over {@code /proc}. */
    record Snapshot(List<ProcEntry> processes, Map<Long, List<Long>> socketOwners) {
    }

    /** The numeric entries of {@code /proc}, ascending. */
    List<Long> pids(List<String> errors) {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(proc)) {
            for (Path p : ds) {
                long pid = number(p.getFileName().toString());
                if (pid > 0) {
                    pids.add(pid);
                }
            }
        } catch (IOException | RuntimeException e) {
            errors.add("processes: cannot list " + proc + ": " + e);
        }
        pids.sort(null);
        return pids;
    }

    /** Lists every process and maps {@code socket:[inode]} fds to their pids. */
    Snapshot snapshot(List<String> errors) {
        List<ProcEntry> list = new ArrayList<>();
        Map<Long, List<Long>> owners = new TreeMap<>();
        List<Long> pids = pids(errors);
        for (long pid : pids) {
            if (expired()) {
                errors.add("processes: time limit reached after " + list.size() + " of " + pids.size()
                        + " processes; the rest are left out of processes.json and the socket owners");
                break;
            }
            ProcEntry e = entry(pid);
            if (e == null) {
                continue;
            }
            list.add(e);
            for (String link : fdLinks(pid).values()) {
                if (link.startsWith("socket:[") && link.endsWith("]")) {
                    long inode = number(link.substring(8, link.length() - 1));
                    if (inode >= 0) {
                        owners.computeIfAbsent(inode, k -> new ArrayList<>()).add(pid);
                    }
                }
            }
        }
        reportDenied("processes", errors);
        return new Snapshot(List.copyOf(list), owners);
    }

    /** Processes whose exe, maps or fds refer to the file, by device+inode or else by path. */
    List<ProcessInfo> using(Path file, long device, long inode, List<String> errors) {
        String wanted = Names.of(file);
        List<ProcessInfo> found = new ArrayList<>();
        List<Long> pids = pids(errors);
        for (long pid : pids) {
            if (expired()) {
                errors.add("processes using " + wanted + ": time limit reached after " + found.size()
                        + " matches; some processes were not inspected");
                break;
            }
            Set<String> how = new LinkedHashSet<>();
            Path dir = proc.resolve(Long.toString(pid));
            if (sameFile(dir.resolve("exe"), device, inode) || samePath(readLink(pid, dir.resolve("exe")), wanted)) {
                how.add("exe");
            }
            if (mapped(pid, dir.resolve("maps"), wanted, device, inode)) {
                how.add("map");
            }
            for (Map.Entry<String, String> fd : fdLinks(pid).entrySet()) {
                String link = fd.getValue();
                if (link.startsWith("/") && (samePath(link, wanted)
                        || sameFile(dir.resolve("fd").resolve(fd.getKey()), device, inode))) {
                    how.add("fd");
                    break;
                }
            }
            if (how.isEmpty()) {
                continue;
            }
            ProcEntry e = entry(pid);
            if (e != null) {
                found.add(new ProcessInfo(e.pid(), e.ppid(), e.uid(), e.name(), e.cmdline(), e.exe(),
                        List.copyOf(how), parents(e.ppid())));
            }
        }
        reportDenied("processes using " + wanted, errors);
        return found;
    }

    /** The ppid chain starting at {@code ppid}, nearest first, up to pid 1. */
    List<Long> parents(long ppid) {
        List<Long> chain = new ArrayList<>();
        long cur = ppid;
        while (cur > 0 && chain.size() < MAX_PARENTS && !chain.contains(cur)) {
            chain.add(cur);
            if (cur == 1) {
                break;
            }
            Long next = ppids.get(cur);
            if (next == null) {
                ProcEntry e = entry(cur);
                if (e == null) {
                    break;
                }
                next = e.ppid();
            }
            cur = next;
        }
        return chain;
    }

    /** One process's row, or null when it is gone or its status cannot be read. */
    ProcEntry entry(long pid) {
        Path dir = proc.resolve(Long.toString(pid));
        String status;
        try {
            status = ProcText.decode(ProcText.read(dir.resolve("status"), MAX_STATUS));
        } catch (AccessDeniedException e) {
            denied.add(pid);
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
        String name = "";
        String state = "";
        long ppid = 0;
        long uid = -1;
        for (String line : status.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String value = line.substring(colon + 1).strip();
            switch (line.substring(0, colon)) {
                case "Name" -> name = value;
                case "State" -> state = value;
                case "PPid" -> ppid = Math.max(0, number(value));
                case "Uid" -> uid = number(value.split("\\s+")[0]);
                default -> {
                }
            }
        }
        ppids.put(pid, ppid);
        return new ProcEntry(pid, ppid, uid, name, state, cmdline(dir.resolve("cmdline")),
                readLink(pid, dir.resolve("exe")));
    }

    private static String cmdline(Path file) {
        byte[] raw;
        try {
            raw = ProcText.read(file, MAX_CMDLINE);
        } catch (IOException | RuntimeException e) {
            return "";
        }
        int end = raw.length;
        while (end > 0 && raw[end - 1] == 0) {
            end--;
        }
        byte[] joined = Arrays.copyOf(raw, end);
        for (int i = 0; i < end; i++) {
            if (joined[i] == 0) {
                joined[i] = ' ';
            }
        }
        return ProcText.decode(joined);
    }

    /** fd number → link text; empty when the process is gone or its fds cannot be read. */
    private Map<String, String> fdLinks(long pid) {
        Map<String, String> links = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(proc.resolve(Long.toString(pid)).resolve("fd"))) {
            for (Path fd : ds) {
                String link = readLink(pid, fd);
                if (link != null) {
                    links.put(fd.getFileName().toString(), link);
                }
            }
        } catch (AccessDeniedException e) {
            denied.add(pid);
        } catch (IOException | RuntimeException e) {
            // gone, or a kernel thread without an fd table
        }
        return links;
    }

    private boolean mapped(long pid, Path maps, String wanted, long device, long inode) {
        // Decoded as UTF-8 only for the path fallback; device and inode are ASCII numbers.
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(maps),
                StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                MapsLine m = MapsLine.parse(line);
                if (m != null && m.inode() != 0 && ((m.inode() == inode && m.device() == device)
                        || samePath(m.path(), wanted))) {
                    return true;
                }
            }
        } catch (AccessDeniedException e) {
            denied.add(pid);
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return false;
    }

    /** The fields of one {@code /proc/<pid>/maps} line that identify the mapped file. */
    record MapsLine(long device, long inode, String path) {

        /** Parses "start-end perms offset major:minor inode   path"; null for a line of another shape. */
        static MapsLine parse(String line) {
            String[] f = line.strip().split("\\s+", 6);
            if (f.length < 5) {
                return null;
            }
            int colon = f[3].indexOf(':');
            if (colon < 0) {
                return null;
            }
            try {
                long major = Long.parseLong(f[3].substring(0, colon), 16);
                long minor = Long.parseLong(f[3].substring(colon + 1), 16);
                return new MapsLine(makedev(major, minor), Long.parseLong(f[4]), f.length == 6 ? f[5] : "");
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /** glibc's {@code makedev}: the {@code st_dev} that a stat of a file on device major:minor reports. */
    static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    private static boolean sameFile(Path link, long device, long inode) {
        try {
            // Follows the link: on the real /proc a stat of exe or fd/N reaches the very inode, deleted or not.
            Map<String, Object> a = Files.readAttributes(link, "unix:dev,ino");
            return ((Number) a.get("ino")).longValue() == inode && ((Number) a.get("dev")).longValue() == device;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean samePath(String link, String wanted) {
        if (link == null) {
            return false;
        }
        return link.equals(wanted) || (link.endsWith(DELETED)
                && link.substring(0, link.length() - DELETED.length()).equals(wanted));
    }

    private String readLink(long pid, Path link) {
        try {
            return Names.of(Files.readSymbolicLink(link));
        } catch (AccessDeniedException e) {
            denied.add(pid);
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private void reportDenied(String what, List<String> errors) {
        if (!denied.isEmpty()) {
            errors.add(what + ": permission denied reading " + denied.size() + " processes (first pids "
                    + denied.stream().limit(10).toList() + "): other users' processes need root, and hidepid or a sandbox"
                    + " can hide some even from root");
            denied.clear();
        }
    }

    private boolean expired() {
        if (!expired && !clock.instant().isBefore(deadline)) {
            expired = true;
        }
        return expired;
    }

    /** A non-negative decimal, or -1. */
    static long number(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
