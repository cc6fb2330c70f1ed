package org.securonis.bim.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A unix socket address in systemd's notation ({@code @name} for the abstract namespace,
 * {@code /path} for the filesystem) and the exact {@code struct sockaddr_un} bytes to pass
 * with it; immutable, built by a pure function, safe on any thread.
 */
final class UnixAddress {
    /*
     * struct sockaddr_un {
     *     sa_family_t sun_family;     // offset 0: unsigned short, AF_UNIX
     *     char        sun_path[108];  // offset 2
     * };
     */
    static final int OFFSET_FAMILY = 0;
    static final int OFFSET_PATH = 2;
    static final int SUN_PATH_SIZE = 108;
    /** AF_UNIX from sys/socket.h. */
    static final short AF_UNIX = 1;
    /**
     * The longest name we accept, in bytes with its '@' or '/': like sd_notify we insist on room for
     * a NUL in sun_path even where the kernel would take a full 108 bytes, so peers that expect one agree.
     */
    static final int MAX_NAME_BYTES = SUN_PATH_SIZE - 1;

    private final String text;
    private final byte[] sockaddr;

    private UnixAddress(String text, byte[] sockaddr) {
        this.text = text;
        this.sockaddr = sockaddr;
    }

    /**
     * Encodes {@code address} as sd_notify does: "@name" becomes a leading NUL and the length stops
     * at the name's last byte (the NUL would be part of an abstract name); "/path" is passed with its
     * trailing NUL counted. Anything else, including a relative path, is refused.
     */
    static UnixAddress parse(String address) {
        if (address.isEmpty()) {
            throw new IllegalArgumentException("unix socket address is empty");
        }
        if (address.startsWith("vsock")) {
            throw new IllegalArgumentException("unix socket address (" + address + ") is an AF_VSOCK address,"
                    + " which is not supported: only '@abstract' and '/path' are");
        }
        char first = address.charAt(0);
        if (first != '@' && first != '/') {
            throw new IllegalArgumentException("unix socket address (" + address
                    + ") must be an absolute path or start with '@' for the abstract namespace");
        }
        if (address.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("unix socket address (" + address.replace('\0', '?')
                    + ") contains a NUL character");
        }
        byte[] name = address.getBytes(StandardCharsets.UTF_8);
        if (name.length < 2) {
            throw new IllegalArgumentException("unix socket address (" + address + ") names nothing after '" + first + "'");
        }
        if (name.length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("unix socket address (" + address + ") is " + name.length
                    + " bytes long; sun_path holds at most " + MAX_NAME_BYTES + " and a NUL (" + SUN_PATH_SIZE + " bytes)");
        }
        boolean path = first == '/';
        ByteBuffer buf = ByteBuffer.allocate(OFFSET_PATH + name.length + (path ? 1 : 0)).order(ByteOrder.nativeOrder());
        buf.putShort(OFFSET_FAMILY, AF_UNIX);
        buf.put(OFFSET_PATH, name);
        if (!path) {
            buf.put(OFFSET_PATH, (byte) 0);
        }
        return new UnixAddress(address, buf.array());
    }

    /** True for an abstract-namespace address ("@name"). */
    boolean isAbstract() {
        return text.charAt(0) == '@';
    }

    /** The struct sockaddr_un bytes, exactly as long as the socklen_t to pass with them. */
    byte[] sockaddr() {
        return sockaddr.clone();
    }

    /** The address as written, e.g. "@/org/freedesktop/systemd1/notify" or "/run/systemd/notify". */
    @Override
    public String toString() {
        return text;
    }
}
