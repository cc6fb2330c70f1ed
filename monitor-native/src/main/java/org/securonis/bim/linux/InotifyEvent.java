package org.securonis.bim.linux;

import java.util.Arrays;

/**
 * One decoded {@code struct inotify_event}: the watch it belongs to, its mask, its move cookie
 * and the raw name bytes (empty for events about the watched directory itself).
 */
record InotifyEvent(int wd, int mask, int cookie, byte[] name) {

    InotifyEvent {
        name = name.clone();
    }

    /** True when any of {@code bits} is set in the mask. */
    boolean has(int bits) {
        return (mask & bits) != 0;
    }

    /** True when the event names an entry of the watched directory rather than the directory itself. */
    boolean hasName() {
        return name.length > 0;
    }

    @Override
    public byte[] name() {
        return name.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InotifyEvent e && e.wd == wd && e.mask == mask && e.cookie == cookie
                && Arrays.equals(e.name, name);
    }

    @Override
    public int hashCode() {
        return ((wd * 31 + mask) * 31 + cookie) * 31 + Arrays.hashCode(name);
    }

    @Override
    public String toString() {
        return "InotifyEvent[wd=" + wd + ", mask=0x" + Integer.toHexString(mask) + ", cookie=" + cookie
                + ", name=" + Syscalls.display(name) + "]";
    }
}
