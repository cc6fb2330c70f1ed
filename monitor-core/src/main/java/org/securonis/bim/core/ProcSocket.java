package org.securonis.bim.core;

import java.util.List;
import java.util.Objects;

/**
 * One socket of the kernel's tables, with the processes holding it.
 *
 * @param protocol "tcp", "tcp6", "udp", "udp6", or "unix/stream", "unix/dgram", "unix/seqpacket"
 * @param local    "address:port" ("[v6]:port" for IPv6); null for a unix socket
 * @param remote   likewise; "0.0.0.0:0" when unconnected
 * @param uid      the owner's uid; -1 for a unix socket, whose table has none
 * @param path     the bound name of a unix socket ("@" leads an abstract one), else null
 * @param pids     the processes with an fd on {@code socket:[inode]}, ascending
 */
record ProcSocket(String protocol, String local, String remote, String state, long uid, long inode, String path,
                  List<Long> pids) {

    ProcSocket {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(state, "state");
        pids = List.copyOf(pids);
    }
}
