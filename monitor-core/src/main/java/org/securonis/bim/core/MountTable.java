package org.securonis.bim.core;

import java.util.Set;
import java.util.TreeSet;

/**
 * The mount points of a {@code /proc/PID/mountinfo} text: its fifth field, with the kernel's octal escapes
 * ({@code \040} for a space, {@code \011}, {@code \012}, {@code \134}) undone and other bytes kept exactly.
 */
public final class MountTable {

    private MountTable() {
    }

    /** Every mount point named in {@code mountinfo} (its bytes), as our paths are named. */
    public static Set<String> mountPoints(byte[] mountinfo) {
        Set<String> out = new TreeSet<>();
        int start = 0;
        for (int i = 0; i <= mountinfo.length; i++) {
            if (i == mountinfo.length || mountinfo[i] == '\n') {
                String point = field5(mountinfo, start, i);
                if (point != null) {
                    out.add(point);
                }
                start = i + 1;
            }
        }
        return out;
    }

    // "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw": the fifth field is the mount point.
    private static String field5(byte[] b, int from, int to) {
        int field = 0;
        int i = from;
        while (i < to && field < 4) {
            while (i < to && b[i] != ' ') {
                i++;
            }
            while (i < to && b[i] == ' ') {
                i++;
            }
            field++;
        }
        if (field < 4 || i >= to || b[i] != '/') {
            return null;
        }
        java.io.ByteArrayOutputStream name = new java.io.ByteArrayOutputStream();
        while (i < to && b[i] != ' ') {
            if (b[i] == '\\' && i + 3 < to && octal(b[i + 1]) && octal(b[i + 2]) && octal(b[i + 3])) {
                name.write((b[i + 1] - '0') * 64 + (b[i + 2] - '0') * 8 + (b[i + 3] - '0'));
                i += 4;
            } else {
                name.write(b[i++]);
            }
        }
        return Names.fromBytes(name.toByteArray());
    }

    private static boolean octal(byte c) {
        return c >= '0' && c <= '7';
    }
}
