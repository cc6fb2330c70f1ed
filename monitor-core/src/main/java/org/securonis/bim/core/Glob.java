package org.securonis.bim.core;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An absolute path pattern: {@code *} and {@code ?} within one directory level, {@code [abc]} classes,
 * {@code {a,b}} alternatives, and {@code **} as a whole component for zero or more levels.
 *
 * <p>Unlike a shell, {@code *} also matches names starting with a dot: a hidden file planted in
 * /usr/bin is exactly what a monitor must not skip.
 */
final class Glob {

    /** One path component: a literal name, {@code **}, or a compiled one-level pattern. */
    private record Part(String text, Pattern regex, boolean anyDepth) {
        boolean matches(String name) {
            return regex == null ? text.equals(name) : regex.matcher(name).matches();
        }
    }

    private final String pattern;
    private final List<Part> parts;

    private Glob(String pattern, List<Part> parts) {
        this.pattern = pattern;
        this.parts = parts;
    }

    /** Compiles a pattern already accepted by {@link #check}. */
    static Glob compile(String pattern) {
        String bad = check(pattern);
        if (bad != null) {
            throw new IllegalArgumentException("pattern (" + pattern + ") is invalid: " + bad);
        }
        String norm = normalize(pattern);
        List<Part> parts = new ArrayList<>();
        for (String c : components(norm)) {
            if (c.equals("**")) {
                parts.add(new Part(c, null, true));
            } else if (isPattern(c)) {
                parts.add(new Part(c, Pattern.compile(toRegex(c), Pattern.DOTALL), false));
            } else {
                parts.add(new Part(unescape(c), null, false));
            }
        }
        return new Glob(norm, List.copyOf(parts));
    }

    /** The pattern as written, normalized. */
    String pattern() {
        return pattern;
    }

    /** The leading literal components as an absolute path ("/" when the first component is a pattern). */
    String literalPrefix() {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            if (p.regex != null || p.anyDepth) {
                break;
            }
            sb.append('/').append(p.text);
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }

    /** The number of leading literal components. */
    int literalCount() {
        int n = 0;
        for (Part p : parts) {
            if (p.regex != null || p.anyDepth) {
                break;
            }
            n++;
        }
        return n;
    }

    /** True when the pattern has no wildcard at all: it names one path. */
    boolean isExact() {
        return literalCount() == parts.size();
    }

    /** True when a {@code **} can reach into subdirectories of any depth. */
    boolean recursive() {
        return parts.stream().anyMatch(Part::anyDepth);
    }

    /** The number of components. */
    int size() {
        return parts.size();
    }

    /** Whether component {@code index} is {@code **}. */
    boolean anyDepthAt(int index) {
        return parts.get(index).anyDepth;
    }

    /** Whether component {@code index} matches the name {@code name}. */
    boolean partMatches(int index, String name) {
        return parts.get(index).matches(name);
    }

    /** Whether an absolute, normalized path matches the whole pattern. */
    boolean matches(String absolutePath) {
        return matchFrom(0, components(normalize(absolutePath)), 0);
    }

    private boolean matchFrom(int pi, List<String> names, int ni) {
        if (pi == parts.size()) {
            return ni == names.size();
        }
        Part p = parts.get(pi);
        if (p.anyDepth) {
            for (int k = ni; k <= names.size(); k++) {
                if (matchFrom(pi + 1, names, k)) {
                    return true;
                }
            }
            return false;
        }
        return ni < names.size() && p.matches(names.get(ni)) && matchFrom(pi + 1, names, ni + 1);
    }

    /** Whether the text holds any wildcard character that is not escaped. */
    static boolean isPattern(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '*' || c == '?' || c == '[' || c == '{') {
                return true;
            }
        }
        return false;
    }

    /** Collapses repeated slashes, drops "." components and a trailing slash. */
    static String normalize(String path) {
        StringBuilder sb = new StringBuilder();
        for (String c : components(path)) {
            sb.append('/').append(c);
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }

    /** The non-empty, non-"." components of a path. */
    static List<String> components(String path) {
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) {
            if (!c.isEmpty() && !c.equals(".")) {
                out.add(c);
            }
        }
        return out;
    }

    /** Returns what is wrong with a pattern, or null when it is valid. */
    static String check(String pattern) {
        if (!pattern.startsWith("/")) {
            return "it must be absolute";
        }
        for (String c : components(pattern)) {
            if (c.equals("..")) {
                return "'..' is not allowed in a pattern";
            }
            int brackets = 0;
            int braces = 0;
            for (int i = 0; i < c.length(); i++) {
                char ch = c.charAt(i);
                if (ch == '\\') {
                    if (++i == c.length()) {
                        return "a trailing '\\' escapes nothing";
                    }
                } else if (ch == '[' && brackets == 0) {
                    brackets = 1;
                    if (i + 1 < c.length() && (c.charAt(i + 1) == '!' || c.charAt(i + 1) == '^')) {
                        i++;
                    }
                    if (i + 1 < c.length() && c.charAt(i + 1) == ']') {
                        i++;
                    }
                } else if (ch == ']' && brackets == 1) {
                    brackets = 0;
                } else if (ch == '{' && brackets == 0) {
                    braces++;
                } else if (ch == '}' && brackets == 0) {
                    if (--braces < 0) {
                        return "'}' without '{' in '" + c + "'";
                    }
                }
            }
            if (brackets != 0) {
                return "'[' without ']' in '" + c + "'";
            }
            if (braces != 0) {
                return "'{' without '}' in '" + c + "'";
            }
        }
        return null;
    }

    private static String unescape(String c) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            if (ch == '\\' && i + 1 < c.length()) {
                ch = c.charAt(++i);
            }
            sb.append(ch);
        }
        return sb.toString();
    }

    private static String toRegex(String c) {
        StringBuilder sb = new StringBuilder();
        boolean inClass = false;
        int braces = 0;
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            if (inClass) {
                if (ch == ']') {
                    inClass = false;
                    sb.append(']');
                } else if (ch == '\\' || ch == '[' || ch == '&') {
                    sb.append('\\').append(ch);
                } else {
                    sb.append(ch);
                }
                continue;
            }
            switch (ch) {
                case '\\' -> sb.append(Pattern.quote(String.valueOf(c.charAt(++i))));
                case '*' -> sb.append("[^/]*");
                case '?' -> sb.append("[^/]");
                case '[' -> {
                    inClass = true;
                    sb.append('[');
                    if (i + 1 < c.length() && (c.charAt(i + 1) == '!' || c.charAt(i + 1) == '^')) {
                        sb.append('^');
                        i++;
                    }
                    if (i + 1 < c.length() && c.charAt(i + 1) == ']') {
                        sb.append("\\]");
                        i++;
                    }
                }
                case '{' -> {
                    braces++;
                    sb.append("(?:");
                }
                case '}' -> {
                    braces--;
                    sb.append(')');
                }
                case ',' -> sb.append(braces > 0 ? "|" : ",");
                default -> sb.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
