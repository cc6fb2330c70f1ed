package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcNetTest {

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    @Test
    void address_decodesHostOrderIpv4AndNetworkOrderPort() {
        assertEquals("127.0.0.1:80", ProcNet.address("0100007F:0050", LE));
        assertEquals("0.0.0.0:0", ProcNet.address("00000000:0000", LE));
        assertEquals("192.168.0.34:443", ProcNet.address("2200A8C0:01BB", LE));
        assertEquals("127.0.0.1:80", ProcNet.address("7F000001:0050", ByteOrder.BIG_ENDIAN));
    }

    @Test
    void address_decodesIpv6InRfc5952Form() {
        assertEquals("[::1]:22", ProcNet.address("00000000000000000000000001000000:0016", LE));
        assertEquals("[::]:0", ProcNet.address("00000000000000000000000000000000:0000", LE));
        assertEquals("[fe80::1:2]:8080", ProcNet.address("000080FE000000000000000002000100:1F90", LE));
        assertEquals("[2001:db8:0:1::1]:53", ProcNet.address("B80D0120010000000000000001000000:0035", LE));
        assertEquals("[::ffff:127.0.0.1]:631", ProcNet.address("0000000000000000FFFF00000100007F:0277", LE));
    }

    @Test
    void address_ofAnotherShape_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> ProcNet.address("0100007F0050", LE));
        assertThrows(IllegalArgumentException.class, () -> ProcNet.address("01007F:0050", LE));
    }

    @Test
    void parseInet_readsStateUidInodeAndOwners() {
        List<String> errors = new ArrayList<>();
        List<ProcSocket> got = ProcNet.parseInet("tcp", ProcFake.TCP + "   2: garbage\n", LE,
                Map.of(1234L, List.of(100L, 600L)), errors);
        assertEquals(List.of(
                new ProcSocket("tcp", "127.0.0.1:80", "0.0.0.0:0", "LISTEN", 0, 1234, null, List.of(100L, 600L)),
                new ProcSocket("tcp", "10.0.2.15:41668", "192.168.0.34:443", "ESTABLISHED", 1000, 99, null,
                        List.of())), got);
        assertEquals(1, errors.size(), errors.toString());
        assertEquals(true, errors.get(0).startsWith("sockets: net/tcp line 4 not understood"), errors.get(0));
    }

    @Test
    void parseInet_udp6_readsV6Addresses() {
        String udp6 = "  sl  local_address                         remote_address                        st tx_queue "
                + "rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
                + "  123: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 07 "
                + "00000000:00000000 00:00000000 00000000   101        0 4242 2 0000000000000000 0\n";
        assertEquals(List.of(new ProcSocket("udp6", "[::1]:53", "[::]:0", "CLOSE", 101, 4242, null, List.of(7L))),
                ProcNet.parseInet("udp6", udp6, LE, Map.of(4242L, List.of(7L)), new ArrayList<>()));
    }

    @Test
    void parseUnix_readsTypeStateInodeAndPathToEndOfLine() {
        String unix = "Num       RefCount Protocol Flags    Type St Inode Path\n"
                + "0000000000000000: 00000002 00000000 00010000 0001 01 13 /run/systemd/notify\n"
                + "0000000000000000: 00000003 00000000 00000000 0001 03 14\n"
                + "0000000000000000: 00000002 00000000 00000000 0002 01 15 @abstract name\n";
        assertEquals(List.of(
                new ProcSocket("unix/stream", null, null, "UNCONNECTED", -1, 13, "/run/systemd/notify", List.of(1L)),
                new ProcSocket("unix/stream", null, null, "CONNECTED", -1, 14, null, List.of()),
                new ProcSocket("unix/dgram", null, null, "UNCONNECTED", -1, 15, "@abstract name", List.of())),
                ProcNet.parseUnix(unix, Map.of(13L, List.of(1L)), new ArrayList<>()));
    }
}
