package org.securonis.bim.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NativeExceptionTest {

    @Test
    void watchLimit_namesTheSysctlToRaise() {
        NativeException e = NativeException.of("inotify_add_watch", "/usr/lib/x86_64-linux-gnu", Errno.ENOSPC.number());
        assertEquals("inotify_add_watch(/usr/lib/x86_64-linux-gnu): ENOSPC: raise fs.inotify.max_user_watches (sysctl)",
                e.getMessage());
        assertEquals("ENOSPC", e.errnoName());
    }

    @Test
    void instanceLimit_namesTheSysctlToRaise() {
        assertEquals("inotify_init1(): EMFILE: raise fs.inotify.max_user_instances (sysctl) or the open-file limit"
                + " (LimitNOFILE)", NativeException.of("inotify_init1", null, Errno.EMFILE.number()).getMessage());
    }

    @Test
    void ordinaryErrno_carriesItsDescription() {
        assertEquals("inotify_add_watch(/gone): ENOENT: no such file or directory",
                NativeException.of("inotify_add_watch", "/gone", 2).getMessage());
    }

    @Test
    void unnamedErrno_showsItsNumber() {
        assertEquals("read(): errno 99: unknown error", NativeException.of("read", null, 99).getMessage());
    }
}
