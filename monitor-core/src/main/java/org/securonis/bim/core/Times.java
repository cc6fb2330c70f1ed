package org.securonis.bim.core;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/** A fast path for the one time format the baseline writes ({@code Instant.toString()}: UTC, "Z"). */
final class Times {

    private Times() {
    }

    /**
     * Parses "uuuu-MM-ddTHH:mm:ss[.fraction]Z" with 0 to 9 fraction digits; returns null for anything else, so
     * the caller falls back to {@link Instant#parse}, which also gives the error message.
     */
    static Instant parseUtc(String s) {
        return parseUtc(s.toCharArray(), 0, s.length());
    }

    /** As {@link #parseUtc(String)}, of the {@code n} characters of {@code c} from {@code off} (a parser's buffer). */
    static Instant parseUtc(char[] c, int off, int n) {
        if (n < 20 || c[off + 4] != '-' || c[off + 7] != '-' || c[off + 10] != 'T' || c[off + 13] != ':'
                || c[off + 16] != ':' || c[off + n - 1] != 'Z') {
            return null;
        }
        int year = digits(c, off, 0, 4);
        int month = digits(c, off, 5, 7);
        int day = digits(c, off, 8, 10);
        int hour = digits(c, off, 11, 13);
        int minute = digits(c, off, 14, 16);
        int second = digits(c, off, 17, 19);
        if ((year | month | day | hour | minute | second) < 0 || hour > 23 || minute > 59 || second > 59) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            if (c[off + 19] != '.' || n - 21 < 1 || n - 21 > 9) {
                return null;
            }
            int frac = digits(c, off, 20, n - 1);
            if (frac < 0) {
                return null;
            }
            nanos = frac;
            for (int i = n - 21; i < 9; i++) {
                nanos *= 10;
            }
        } else if (n != 20) {
            return null;
        }
        try {
            long days = LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(days * 86400 + hour * 3600L + minute * 60L + second, nanos);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static int digits(char[] s, int off, int from, int to) {
        int v = 0;
        for (int i = off + from; i < off + to; i++) {
            char c = s[i];
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
