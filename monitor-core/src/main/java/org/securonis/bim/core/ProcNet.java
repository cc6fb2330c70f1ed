package org.securonis.bim.core;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parses the socket tables of {@code /proc/net} ({@code tcp}, {@code tcp6}, {@code udp}, {@code udp6},
 * {@code unix}) into {@link ProcSocket}s; pure functions over the text, so tests feed hand-written lines.
 */
final class ProcNet {

    // include/net/tcp_states.h; udp reuses them (07 CLOSE is an unconnected socket, 01 a connected one).
    private static final String[] TCP_STATES = {"UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
        "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV",
        "BOUND_INACTIVE"};
    // include/uapi/linux/net.h socket_state, and the SOCK_* types.
    private static final String[] UNIX_STATES = {"FREE", "UNCONNECTED", "CONNECTING", "CONNECTED", "DISCONNECTING"};
    private static final Map<Integer, String> UNIX_TYPES = Map.of(1, "STREAM", 2, "DGRAM", 3, "RAW", 4, "RDM",
            5, "SEQPACKET");

    private ProcNet() {
    }

    /**
     * Parses one inet table: after the header, each line is
     * {@code sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...};
     * a line of another shape is reported in {@code errors} and skipped.
     *
     * @param order the byte order of the kernel that wrote the addresses (the host's, for the real /proc)
     */
    static List<ProcSocket> parseInet(String protocol, String text, ByteOrder order,
            Map<Long, List<Long>> owners, List<String> errors) {
        List<ProcSocket> out = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            try {
                if (f.length < 10 || !f[0].endsWith(":")) {
                    throw new IllegalArgumentException("expected at least 10 fields");
                }
                int st = Integer.parseInt(f[3], 16);
                long inode = Long.parseLong(f[9]);
                out.add(new ProcSocket(protocol, address(f[1], order), address(f[2], order),
                        st < TCP_STATES.length ? TCP_STATES[st] : "0x" + f[3], Long.parseLong(f[7]), inode, null,
                        owners.getOrDefault(inode, List.of())));
            } catch (IllegalArgumentException e) {
                errors.add("sockets: net/" + protocol + " line " + (i + 1) + " not understood ("
                        + e.getMessage() + "): " + Names.escape(line));
            }
        }
        return out;
    }

    /**
     * Parses {@code /proc/net/unix}: {@code Num RefCount Protocol Flags Type St Inode [Path]}; the path runs
     * to the end of the line and starts with "@" for an abstract name.
     */
    static List<ProcSocket> parseUnix(String text, Map<Long, List<Long>> owners, List<String> errors) {
        List<ProcSocket> out = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+", 8);
            try {
                if (f.length < 7) {
                    throw new IllegalArgumentException("expected at least 7 fields");
                }
                int type = Integer.parseInt(f[4], 16);
                int st = Integer.parseInt(f[5], 16);
                long inode = Long.parseLong(f[6]);
                out.add(new ProcSocket("unix/" + UNIX_TYPES.getOrDefault(type, "0x" + f[4]).toLowerCase(), null,
                        null, st < UNIX_STATES.length ? UNIX_STATES[st] : "0x" + f[5], -1, inode,
                        f.length == 8 ? f[7] : null, owners.getOrDefault(inode, List.of())));
            } catch (IllegalArgumentException e) {
                errors.add("sockets: net/unix line " + (i + 1) + " not understood (" + e.getMessage() + "): "
                        + Names.escape(line));
            }
        }
        return out;
    }

    /**
     * Decodes "0100007F:0050" to "127.0.0.1:80" and a 32-digit IPv6 address to "[::1]:80": the address is
     * printed as 32-bit words in the kernel's byte order, the port in network order.
     */
    static String address(String hex, ByteOrder order) {
        int colon = hex.indexOf(':');
        if (colon < 0 || (colon != 8 && colon != 32)) {
            throw new IllegalArgumentException("address (" + hex + ") must be 8 or 32 hex digits, ':' and a port");
        }
        int port = Integer.parseInt(hex.substring(colon + 1), 16);
        byte[] addr = new byte[colon / 2];
        for (int w = 0; w < addr.length / 4; w++) {
            int word = (int) Long.parseLong(hex.substring(w * 8, w * 8 + 8), 16);
            for (int b = 0; b < 4; b++) {
                int shift = order == ByteOrder.LITTLE_ENDIAN ? 8 * b : 8 * (3 - b);
                addr[w * 4 + b] = (byte) (word >>> shift);
            }
        }
        return addr.length == 4 ? ipv4(addr, 0) + ":" + port : "[" + ipv6(addr) + "]:" + port;
    }

    private static String ipv4(byte[] a, int off) {
        return (a[off] & 0xff) + "." + (a[off + 1] & 0xff) + "." + (a[off + 2] & 0xff) + "." + (a[off + 3] & 0xff);
    }

    /** RFC 5952 text: lower-case hex, the longest run of two or more zero groups as "::", mapped IPv4 dotted. */
    static String ipv6(byte[] a) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
            return "::ffff:" + ipv4(a, 12);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
