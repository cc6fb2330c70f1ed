package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcScannerTest {

    @TempDir
    Path tmp;
    private ProcFake proc;
    private Path target;
    private long dev;
    private long ino;

    @BeforeEach
    void tree() throws Exception {
        proc = new ProcFake(tmp.resolve("proc"));
        target = Files.writeString(tmp.resolve("usr-bin-su"), "tampered");
        Path otherName = tmp.resolve("hardlink-to-su");
        Files.createLink(otherName, target);
        Path bash = Files.writeString(tmp.resolve("bash"), "bash");
        long[] di = ProcFake.devIno(target);
        dev = di[0];
        ino = di[1];

        proc.process(1, 0, 0, "init", "/sbin/init", "splash");
        proc.process(100, 1, 1000, "bash", "-bash");
        proc.exe(100, bash);
        proc.fd(100, 0, "pipe:[5]");
        proc.fd(100, 3, "socket:[1234]");
        proc.process(200, 100, 1000, "su", target.toString(), "-");
        proc.exe(200, target);
        proc.process(300, 1, 0, "mapper", "mapper");
        proc.maps(300, "55d000000000-55d000001000 r--p 00000000 00:00 0 [heap]",
                ProcFake.mapsLine(dev, ino, "/elsewhere/by-inode"));
        proc.process(400, 300, 0, "holder", "holder", "--keep");
        proc.fd(400, 5, otherName.toString());
        proc.process(500, 1, 33, "old", "old");
        proc.maps(500, "7f0000000000-7f0000001000 r-xp 00000000 00:2a 777 " + target + " (deleted)");
        proc.process(600, 1, 0, "server", "server");
        proc.fd(600, 4, "socket:[1234]");
        proc.fd(600, 5, "socket:[99]");
        proc.maps(600, ProcFake.mapsLine(dev, ino + 1, "/usr/lib/other.so"));
        // A process that vanished between the listing and the reads: no status, no fds.
        Files.createDirectories(proc.root.resolve("700"));
        Files.createSymbolicLink(proc.root.resolve("self"), proc.root.resolve("600"));
    }

    private Forensics forensics() {
        return new Forensics(proc.root, TestFs.CLOCK, 1 << 20, Duration.ofSeconds(30));
    }

    @Test
    void processesUsing_findsExeMapsAndFds_byDeviceInodeOrPath() {
        List<ProcessInfo> expected = List.of(
                new ProcessInfo(200, 100, 1000, "su", target + " -", target.toString(), List.of("exe"),
                        List.of(100L, 1L)),
                new ProcessInfo(300, 1, 0, "mapper", "mapper", null, List.of("map"), List.of(1L)),
                new ProcessInfo(400, 300, 0, "holder", "holder --keep", null, List.of("fd"), List.of(300L, 1L)),
                new ProcessInfo(500, 1, 33, "old", "old", null, List.of("map"), List.of(1L)));
        assertEquals(expected, forensics().processesUsing(target, dev, ino));
    }

    @Test
    void processesUsing_unknownInode_fallsBackToPathOnly() {
        List<Long> pids = forensics().processesUsing(target, -1, -1).stream().map(ProcessInfo::pid).toList();
        assertEquals(List.of(200L, 500L), pids, "exe link text and the '(deleted)' maps path name the file");
    }

    @Test
    void snapshot_listsProcessesAndMapsSocketInodesToOwners() {
        List<String> errors = new ArrayList<>();
        ProcScanner.Snapshot s = new ProcScanner(proc.root, TestFs.CLOCK, TestFs.CLOCK.instant().plusSeconds(1))
                .snapshot(errors);
        assertEquals(List.of(1L, 100L, 200L, 300L, 400L, 500L, 600L),
                s.processes().stream().map(ProcEntry::pid).toList());
        assertEquals(new ProcEntry(1, 0, 0, "init", "S (sleeping)", "/sbin/init splash", null), s.processes().get(0));
        assertEquals(Map.of(1234L, List.of(100L, 600L), 99L, List.of(600L)), s.socketOwners());
        assertEquals(List.of(), errors);
    }

    @Test
    void snapshot_pastItsDeadline_listsNothingAndSaysSo() {
        List<String> errors = new ArrayList<>();
        ProcScanner.Snapshot s = new ProcScanner(proc.root, TestFs.CLOCK, TestFs.CLOCK.instant()).snapshot(errors);
        assertEquals(List.of(), s.processes());
        assertEquals(1, errors.size(), errors.toString());
        assertEquals(true, errors.get(0).contains("time limit"), errors.get(0));
    }

    @Test
    void mapsLine_decodesMajorMinorToStDev() {
        assertEquals(new ProcScanner.MapsLine(ProcScanner.makedev(0xfe, 0), 260131, "/usr/bin/cat"),
                ProcScanner.MapsLine.parse("55fe452ae000-55fe452b0000 r--p 00000000 fe:00 260131     /usr/bin/cat"));
        assertEquals(65024L, ProcScanner.makedev(0xfe, 0), "stat(1) shows st_dev 65024 for fe:00");
        assertEquals(0x1000_0000_0101L, ProcScanner.makedev(0x1001, 0x01), "majors above 0xfff go to bits 44 up");
        assertEquals(0x10_0823L, ProcScanner.makedev(0x08, 0x123), "minors above 0xff go to bits 20 up");
    }
}
