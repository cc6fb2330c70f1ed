package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MountTableTest {

    @Test
    void theFifthFieldOfEachLine_withTheKernelsEscapesUndone() {
        byte[] text = ("22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
                + "36 22 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw\n"
                + "37 22 0:40 /usr/bin/evil /usr/bin/sudo rw shared:2 - tmpfs tmpfs rw\n"
                + "38 22 0:41 / /odd\\134back\\011tab rw - tmpfs tmpfs rw\n"
                + "garbage\n\n").getBytes(StandardCharsets.UTF_8);
        assertEquals(Set.of("/", "/mnt/with space", "/usr/bin/sudo", "/odd\\back\ttab"), MountTable.mountPoints(text));
    }

    @Test
    void aMountPointThatIsNotUtf8_isNamedAsOurPathsAre() {
        byte[] text = {'1', ' ', '2', ' ', '0', ':', '1', ' ', '/', ' ', '/', 'x', (byte) 0xff, ' ', 'r', 'w'};
        assertEquals(Set.of("/x" + Names.fromBytes(new byte[] {(byte) 0xff})), MountTable.mountPoints(text));
    }
}
