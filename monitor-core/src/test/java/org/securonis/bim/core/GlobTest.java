package org.securonis.bim.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GlobTest {

    @Test
    void star_staysWithinOneLevel() {
        Glob g = Glob.compile("/usr/bin/*");
        assertTrue(g.matches("/usr/bin/ls"));
        assertTrue(g.matches("/usr/bin/.hidden"), "dot files are monitored too");
        assertFalse(g.matches("/usr/bin/sub/ls"));
        assertFalse(g.matches("/usr/bin"));
    }

    @Test
    void doubleStar_matchesZeroOrMoreLevels() {
        Glob g = Glob.compile("/lib/**/*.so*");
        assertTrue(g.matches("/lib/libc.so.6"), "zero levels");
        assertTrue(g.matches("/lib/x86_64-linux-gnu/libc.so.6"));
        assertTrue(g.matches("/lib/a/b/c/libz.so"));
        assertFalse(g.matches("/lib/a/b/c/libz.a"));
        assertFalse(g.matches("/usr/lib/libc.so.6"));
        assertTrue(Glob.compile("/lib/**").matches("/lib/a/b"));
    }

    @Test
    void questionMark_classesAndAlternatives() {
        assertTrue(Glob.compile("/bin/l?").matches("/bin/ls"));
        assertFalse(Glob.compile("/bin/l?").matches("/bin/lsx"));
        assertTrue(Glob.compile("/bin/[a-c]at").matches("/bin/cat"));
        assertFalse(Glob.compile("/bin/[!c]at").matches("/bin/cat"));
        assertTrue(Glob.compile("/lib/lib{pam,crypt}*.so*").matches("/lib/libcrypt.so.1"));
        assertFalse(Glob.compile("/lib/lib{pam,crypt}*.so*").matches("/lib/libssl.so.3"));
    }

    @Test
    void regexMetacharacters_areLiteral() {
        assertTrue(Glob.compile("/lib/libstdc++.so*").matches("/lib/libstdc++.so.6"));
        assertFalse(Glob.compile("/lib/a.b*").matches("/lib/axb"));
        assertTrue(Glob.compile("/bin/\\*star").matches("/bin/*star"));
        assertFalse(Glob.compile("/bin/\\*star").matches("/bin/xstar"));
    }

    @Test
    void literalPrefix_stopsAtTheFirstWildcard() {
        assertEquals("/usr/lib/x86_64-linux-gnu", Glob.compile("/usr/lib/x86_64-linux-gnu/libc.so*").literalPrefix());
        assertEquals("/lib", Glob.compile("/lib/**/*.so").literalPrefix());
        assertEquals("/", Glob.compile("/*").literalPrefix());
        assertTrue(Glob.compile("/usr/bin/sudo").isExact());
        assertTrue(Glob.compile("/lib/**/x").recursive());
        assertFalse(Glob.compile("/lib/*").recursive());
    }

    @Test
    void normalize_andCheck() {
        assertEquals("/usr/bin", Glob.normalize("//usr/./bin/"));
        assertNull(Glob.check("/usr/bin/*"));
        assertEquals("'{' without '}' in 'a{b'", Glob.check("/a{b"));
        assertEquals("it must be absolute", Glob.check("usr"));
    }
}
