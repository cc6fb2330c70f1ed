package org.securonis.bim.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Parses the logged-in users out of a {@code utmp} file (glibc, x86_64 Linux); a pure function over its bytes.
 */
final class ForensicUtmp {

    /*
     * struct utmp {                 offset
     *     short   ut_type;            0    USER_PROCESS = 7
     *     pid_t   ut_pid;             4
     *     char    ut_line[32];        8
     *     char    ut_id[4];          40
     *     char    ut_user[32];       44
     *     char    ut_host[256];      76
     *     struct exit_status ut_exit; 332
     *     int32_t ut_session;       336
     *     struct { int32_t tv_sec; int32_t tv_usec; } ut_tv;   340
     *     int32_t ut_addr_v6[4];    348
     *     char    __unused[20];     364
     * };                            384
     */
    static final int RECORD = 384;
    static final int USER_PROCESS = 7;
    /** More than any real host logs at once; bounds what a corrupt or hostile file can make us read. */
    static final int MAX_BYTES = RECORD * 16384;

    private ForensicUtmp() {
    }

    /** One login session. */
    record Login(String user, String line, String host, long pid, String id, Instant time) {

        Login {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(line, "line");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(time, "time");
        }
    }

    /** The USER_PROCESS records of {@code utmp}, in file order; a trailing partial record is reported. */
    static List<Login> parse(byte[] utmp, List<String> errors) {
        List<Login> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(utmp).order(ByteOrder.LITTLE_ENDIAN);
        int whole = utmp.length / RECORD;
        for (int r = 0; r < whole; r++) {
            int off = r * RECORD;
            if (b.getShort(off) != USER_PROCESS) {
                continue;
            }
            out.add(new Login(ProcText.cString(utmp, off + 44, 32), ProcText.cString(utmp, off + 8, 32),
                    ProcText.cString(utmp, off + 76, 256), b.getInt(off + 4), ProcText.cString(utmp, off + 40, 4),
                    Instant.ofEpochSecond(b.getInt(off + 340))));
        }
        if (utmp.length % RECORD != 0) {
            errors.add("users: utmp ends with a partial record (" + utmp.length % RECORD + " of " + RECORD
                    + " bytes), ignored");
        }
        return out;
    }
}
