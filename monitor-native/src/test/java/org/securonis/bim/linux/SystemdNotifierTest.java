package org.securonis.bim.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notifier against the real kernel: a receiver bound to an abstract name or a path plays systemd. */
class SystemdNotifierTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final long SELF = ProcessHandle.current().pid();
    private static final List<String> LIFECYCLE = List.of("READY=1", "STATUS=watching 1234 files", "WATCHDOG=1",
            "READY=1\nSTATUS=watching 1234 files", "STATUS=sweep: 12 % — ünïcödé", "STOPPING=1");

    @TempDir
    Path dir;

    private static String abstractName() {
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        return "@bim-test-" + HexFormat.of().formatHex(random);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // --- delivery ------------------------------------------------------------------------------

    @Test
    void abstractName_receivesEveryNotificationInOrderByteExact() throws Exception {
        String name = abstractName();
        try (NotifyReceiver systemd = NotifyReceiver.bind(name)) {
            assertBoundWithoutTrailingNul(name);
            assertLifecycleArrives(name, systemd);
        }
    }

    @Test
    void pathName_receivesEveryNotificationInOrderByteExact() throws Exception {
        String path = dir.resolve("notify").toString();
        try (NotifyReceiver systemd = NotifyReceiver.bind(path)) {
            assertLifecycleArrives(path, systemd);
        }
    }

    private static void assertLifecycleArrives(String address, NotifyReceiver systemd) throws Exception {
        try (SystemdNotifier notifier = SystemdNotifier.open(address)) {
            for (String message : LIFECYCLE) {
                notifier.send(message);
            }
            for (String message : LIFECYCLE) {
                assertArrayEquals(utf8(message), systemd.receive(TIMEOUT), "datagram for " + message.replace("\n", "\\n"));
            }
            assertEquals(Optional.empty(), systemd.pending().map(String::new), "no datagram beyond the ones sent");
        }
    }

    // The kernel shows an abstract name's NULs as '@': a trailing NUL in the length would show as a trailing '@'.
    private static void assertBoundWithoutTrailingNul(String name) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/net/unix"));
        assertTrue(lines.stream().anyMatch(l -> l.endsWith(" " + name)), name + " listed in /proc/net/unix");
        assertFalse(lines.stream().anyMatch(l -> l.contains(name + "@")), name + " bound with a trailing NUL");
    }

    @Test
    void fromEnvironment_sendsToNotifySocketWithItsWatchdog() throws Exception {
        String name = abstractName();
        Map<String, String> env = Map.of("NOTIFY_SOCKET", name, "WATCHDOG_USEC", "2000000",
                "WATCHDOG_PID", Long.toString(SELF));
        try (NotifyReceiver systemd = NotifyReceiver.bind(name);
                SystemdNotifier notifier = SystemdNotifier.fromEnvironment(env).orElseThrow()) {
            assertEquals(Optional.of(Duration.ofSeconds(1)), notifier.watchdogInterval());
            notifier.send("WATCHDOG=1");
            assertArrayEquals(utf8("WATCHDOG=1"), systemd.receive(TIMEOUT));
        }
    }

    @Test
    void longestAbstractName_107Bytes_isBoundAndReached() throws Exception {
        String name = abstractName();
        name = name + "x".repeat(UnixAddress.MAX_NAME_BYTES - name.length());
        assertEquals(107, utf8(name).length);
        try (NotifyReceiver systemd = NotifyReceiver.bind(name); SystemdNotifier notifier = SystemdNotifier.open(name)) {
            assertBoundWithoutTrailingNul(name);
            notifier.send("READY=1");
            assertArrayEquals(utf8("READY=1"), systemd.receive(TIMEOUT));
        }
    }

    @Test
    void largestMessage_4096Bytes_arrivesWhole_andOneMoreIsRefused() throws Exception {
        String name = abstractName();
        String largest = "STATUS=" + "s".repeat(SystemdNotifier.MAX_MESSAGE_BYTES - "STATUS=".length());
        try (NotifyReceiver systemd = NotifyReceiver.bind(name); SystemdNotifier notifier = SystemdNotifier.open(name)) {
            notifier.send(largest);
            assertArrayEquals(utf8(largest), systemd.receive(TIMEOUT));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> notifier.send(largest + "s"));
            assertEquals("notification message is 4097 bytes; systemd ignores one longer than 4096", e.getMessage());
        }
    }

    @Test
    void emptyOrNulMessage_isRefused() throws Exception {
        try (SystemdNotifier notifier = SystemdNotifier.open(abstractName())) {
            assertEquals("notification message is empty",
                    assertThrows(IllegalArgumentException.class, () -> notifier.send("")).getMessage());
            assertEquals("notification message (READY=1?) contains NUL",
                    assertThrows(IllegalArgumentException.class, () -> notifier.send("READY=1\0")).getMessage());
        }
    }

    @Test
    void concurrentSenders_eachDatagramArrivesWholeAndInEachSendersOrder() throws Exception {
        String name = abstractName();
        int threads = 4;
        int perThread = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (NotifyReceiver systemd = NotifyReceiver.bind(name); SystemdNotifier notifier = SystemdNotifier.open(name)) {
            List<Future<?>> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                senders.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        notifier.send("STATUS=sender " + thread + " message " + i);
                    }
                    return null;
                }));
            }
            // The kernel queues only net.unix.max_dgram_qlen datagrams: senders block until we read.
            int[] next = new int[threads];
            for (int n = 0; n < threads * perThread; n++) {
                String got = new String(systemd.receive(TIMEOUT), StandardCharsets.UTF_8);
                String[] words = got.split(" ");
                int thread = Integer.parseInt(words[1]);
                assertEquals("STATUS=sender " + thread + " message " + next[thread], got, "next datagram of sender " + thread);
                next[thread]++;
            }
            for (Future<?> f : senders) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // --- errors --------------------------------------------------------------------------------

    @Test
    void removedPath_saysTheNotifySocketIsGone() throws Exception {
        String path = dir.resolve("notify").toString();
        try (SystemdNotifier notifier = SystemdNotifier.open(path)) {
            NativeException e = assertThrows(NativeException.class, () -> notifier.send("READY=1"));
            assertEquals("sendto(notify socket " + path + " is gone): ENOENT: no such file or directory", e.getMessage());
            assertEquals("sendto", e.call());
            assertEquals("ENOENT", e.errnoName());
        }
    }

    @Test
    void unboundAbstractName_saysTheNotifySocketIsGone_andARebindIsReachedAgain() throws Exception {
        String name = abstractName();
        try (SystemdNotifier notifier = SystemdNotifier.open(name)) {
            NativeException e = assertThrows(NativeException.class, () -> notifier.send("WATCHDOG=1"));
            assertEquals("sendto(notify socket " + name + " is gone): ECONNREFUSED: connection refused", e.getMessage());
            // Never connected, so a manager that binds the name anew (daemon-reexec) is reached by the same notifier.
            try (NotifyReceiver systemd = NotifyReceiver.bind(name)) {
                notifier.send("WATCHDOG=1");
                assertArrayEquals(utf8("WATCHDOG=1"), systemd.receive(TIMEOUT));
            }
        }
    }

    @Test
    void streamSocket_isRefusedWithEprototype() throws Exception {
        Path path = dir.resolve("stream");
        try (ServerSocketChannel stream = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                SystemdNotifier notifier = SystemdNotifier.open(path.toString())) {
            stream.bind(UnixDomainSocketAddress.of(path));
            NativeException e = assertThrows(NativeException.class, () -> notifier.send("READY=1"));
            assertEquals("sendto(" + path + "): EPROTOTYPE: protocol wrong type for socket", e.getMessage());
        }
    }

    // --- addresses -----------------------------------------------------------------------------

    @Test
    void sockaddr_abstractHasLeadingNulAndNoTrailingNul_pathKeepsItsNul() {
        byte[] family = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? new byte[] {1, 0} : new byte[] {0, 1};
        assertArrayEquals(new byte[] {family[0], family[1], 0, 'b', 'i', 'm'}, UnixAddress.parse("@bim").sockaddr());
        assertArrayEquals(new byte[] {family[0], family[1], '/', 'r', 'u', 'n', '/', 'n', 0},
                UnixAddress.parse("/run/n").sockaddr());
        assertTrue(UnixAddress.parse("@bim").isAbstract());
        assertFalse(UnixAddress.parse("/run/n").isAbstract());
    }

    @Test
    void addressLength_107BytesAccepted_108Refused_countedInBytes() throws Exception {
        String at = "/" + "a".repeat(106);
        assertEquals(2 + 107 + 1, UnixAddress.parse(at).sockaddr().length);
        assertEquals(2 + 107, UnixAddress.parse("@" + "a".repeat(106)).sockaddr().length);
        SystemdNotifier.open(at).close();

        IllegalArgumentException over = assertThrows(IllegalArgumentException.class, () -> SystemdNotifier.open(at + "a"));
        assertEquals("unix socket address (" + at + "a) is 108 bytes long; sun_path holds at most 107 and a NUL"
                + " (108 bytes)", over.getMessage());
        String accents = "/" + "é".repeat(54);
        assertEquals(55, accents.length());
        IllegalArgumentException bytes = assertThrows(IllegalArgumentException.class, () -> SystemdNotifier.open(accents));
        assertTrue(bytes.getMessage().contains("is 109 bytes long"), bytes.getMessage());
    }

    @Test
    void badAddresses_areRefused() {
        Map<String, String> refused = Map.of(
                "run/systemd/notify", "must be an absolute path or start with '@' for the abstract namespace",
                "./notify", "must be an absolute path or start with '@' for the abstract namespace",
                "@", "names nothing after '@'",
                "/", "names nothing after '/'",
                "@bim\0x", "contains a NUL character",
                "vsock:2:1234", "is an AF_VSOCK address, which is not supported: only '@abstract' and '/path' are");
        refused.forEach((address, reason) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SystemdNotifier.open(address));
            assertTrue(e.getMessage().endsWith(reason), "refusal of " + address + ": " + e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", address)));
        });
    }

    // --- environment ---------------------------------------------------------------------------

    @Test
    void noNotifySocket_isEmpty() throws Exception {
        assertEquals(Optional.empty(), SystemdNotifier.fromEnvironment(Map.of()));
        assertEquals(Optional.empty(), SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "")));
        assertEquals(Optional.empty(), SystemdNotifier.fromEnvironment(Map.of("WATCHDOG_USEC", "2000000")));
    }

    @Test
    void watchdogUsec_givesHalfOfIt() {
        assertEquals(Optional.of(Duration.ofSeconds(1)), watchdog("2000000", null));
        assertEquals(Optional.of(Duration.ofSeconds(1)), watchdog("2000000", Long.toString(SELF)));
        assertEquals(Optional.of(Duration.ofNanos(500)), watchdog("1", null));
        assertEquals(Optional.of(Duration.ofMillis(1500)), watchdog("3000000", null));
    }

    @Test
    void watchdogPidOfAnotherProcess_orNoWatchdogUsec_isEmpty() {
        assertEquals(Optional.empty(), watchdog("2000000", Long.toString(SELF + 1)));
        assertEquals(Optional.empty(), watchdog(null, Long.toString(SELF)));
        assertEquals(Optional.empty(), watchdog(null, null));
    }

    @Test
    void fromEnvironment_watchdogPidOfAnotherProcess_hasNoWatchdog() throws Exception {
        Map<String, String> env = Map.of("NOTIFY_SOCKET", abstractName(), "WATCHDOG_USEC", "2000000",
                "WATCHDOG_PID", Long.toString(SELF + 1));
        try (SystemdNotifier notifier = SystemdNotifier.fromEnvironment(env).orElseThrow()) {
            assertEquals(Optional.empty(), notifier.watchdogInterval());
        }
        try (SystemdNotifier notifier = SystemdNotifier.open(abstractName())) {
            assertEquals(Optional.empty(), notifier.watchdogInterval(), "open() has no watchdog");
        }
    }

    @Test
    void malformedWatchdogVariables_areRefusedNamingThem() {
        for (String bad : List.of("", "0", "-5", "+5", "2s", "٣", "99999999999999999999")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> watchdog(bad, null));
            assertEquals("WATCHDOG_USEC (" + bad + ") must be a positive decimal number", e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> watchdog("2000000", "self"));
        assertEquals("WATCHDOG_PID (self) must be a positive decimal number", e.getMessage());
    }

    private static Optional<Duration> watchdog(String usec, String pid) {
        Map<String, String> env = new HashMap<>();
        if (usec != null) {
            env.put("WATCHDOG_USEC", usec);
        }
        if (pid != null) {
            env.put("WATCHDOG_PID", pid);
        }
        return SystemdNotifier.watchdogInterval(env, SELF);
    }

    // --- lifecycle -----------------------------------------------------------------------------

    @Test
    void close_isIdempotentAndLeavesNoFd() throws Exception {
        SystemdNotifier.open(abstractName()).close(); // load the classes and the library before counting
        Map<String, String> before = openFds();

        SystemdNotifier notifier = SystemdNotifier.open(abstractName());
        Map<String, String> open = openFds();
        List<String> added = open.keySet().stream()
                .filter(fd -> open.get(fd).startsWith("socket:") && !open.get(fd).equals(before.get(fd))).toList();
        assertEquals(1, added.size(), "one new socket fd while open: " + added);
        String fd = added.get(0);
        assertTrue(closeOnExec(fd), "fd " + fd + " is close-on-exec");

        notifier.close();
        notifier.close();
        Map<String, String> after = openFds();
        assertFalse(open.get(fd).equals(after.get(fd)), "fd " + fd + " (" + open.get(fd) + ") closed");
        assertEquals(before.size(), after.size(), "fd count back to where it was: " + before + " vs " + after);
        assertThrows(IllegalStateException.class, () -> notifier.send("STOPPING=1"));
    }

    // fd number → link target; the listing's own directory fd is in every snapshot alike.
    private static Map<String, String> openFds() throws IOException {
        Map<String, String> fds = new HashMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                try {
                    fds.put(p.getFileName().toString(), Files.readSymbolicLink(p).toString());
                } catch (IOException gone) {
                    fds.put(p.getFileName().toString(), "?");
                }
            }
        }
        return fds;
    }

    // /proc/self/fdinfo/N "flags:" is octal; O_CLOEXEC is 02000000.
    private static boolean closeOnExec(String fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo", fd))) {
            if (line.startsWith("flags:")) {
                return (Integer.parseInt(line.substring("flags:".length()).trim(), 8) & 02000000) != 0;
            }
        }
        throw new AssertionError("no flags line in /proc/self/fdinfo/" + fd);
    }
}
