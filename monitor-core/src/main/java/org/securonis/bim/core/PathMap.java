package org.securonis.bim.core;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The baseline's records: immutable, iterated in path order (as {@link String#compareTo}), looked up by path in
 * constant time, and searched by prefix in logarithmic time. A sorted map would do all of it, but every lookup and
 * insertion there compares long paths with long common prefixes a dozen times; with 100,000 records that is most
 * of a baseline's load in a JVM that has not compiled the comparison yet.
 */
final class PathMap extends AbstractMap<String, FileRecord> {

    private static final PathMap EMPTY = new PathMap(new String[0], new FileRecord[0]);

    private final String[] keys;
    private final FileRecord[] values;
    private final Map<String, FileRecord> index;

    private PathMap(String[] keys, FileRecord[] values) {
        this.keys = keys;
        this.values = values;
        this.index = new HashMap<>(Math.max(16, (int) (keys.length / 0.75f) + 1));
        for (int i = 0; i < keys.length; i++) {
            index.put(keys[i], values[i]);
        }
    }

    /** The records of {@code m} (a map of path to record); {@code m} itself when it is one already. */
    static PathMap of(Map<String, FileRecord> m) {
        if (m instanceof PathMap p) {
            return p;
        }
        if (m.isEmpty()) {
            return EMPTY;
        }
        String[] k = new String[m.size()];
        FileRecord[] v = new FileRecord[k.length];
        int i = 0;
        for (Map.Entry<String, FileRecord> e : m.entrySet()) {
            k[i] = java.util.Objects.requireNonNull(e.getKey(), "path");
            v[i] = java.util.Objects.requireNonNull(e.getValue(), "record");
            i++;
        }
        return sorted(k, v, false);
    }

    /** The records of {@code records}, keyed by their paths; a path given twice is refused. */
    static PathMap ofRecords(Collection<FileRecord> records) {
        String[] k = new String[records.size()];
        FileRecord[] v = new FileRecord[k.length];
        int i = 0;
        for (FileRecord r : records) {
            k[i] = r.path();
            v[i] = r;
            i++;
        }
        return sorted(k, v, true);
    }

    // Input in path order (a baseline as written, a sorted map) costs one comparison a record; other input goes
    // through a sorted map once. Of equal paths the last wins, or (refuseTwice) the whole is refused.
    private static PathMap sorted(String[] k, FileRecord[] v, boolean refuseTwice) {
        boolean inOrder = true;
        for (int i = 1; i < k.length && inOrder; i++) {
            inOrder = k[i - 1].compareTo(k[i]) < 0;
        }
        if (inOrder) {
            return new PathMap(k, v);
        }
        java.util.TreeMap<String, FileRecord> t = new java.util.TreeMap<>();
        for (int i = 0; i < k.length; i++) {
            if (t.put(k[i], v[i]) != null && refuseTwice) {
                throw new IllegalArgumentException("path (" + k[i] + ") is recorded twice");
            }
        }
        return new PathMap(t.keySet().toArray(new String[0]), t.values().toArray(new FileRecord[0]));
    }

    /**
     * These records with {@code changed} applied: a null value removes its path, another puts its record. Costs
     * one pass over the records and a sort of the changes only.
     */
    PathMap with(Map<String, FileRecord> changed) {
        if (changed.isEmpty()) {
            return this;
        }
        List<String> added = new ArrayList<>();
        for (Map.Entry<String, FileRecord> e : changed.entrySet()) {
            if (e.getValue() != null && !index.containsKey(e.getKey())) {
                added.add(e.getKey());
            }
        }
        added.sort(null);
        String[] k = new String[keys.length + added.size()];
        FileRecord[] v = new FileRecord[k.length];
        int n = 0;
        int a = 0;
        for (int i = 0; i <= keys.length; i++) {
            String next = i < keys.length ? keys[i] : null;
            while (a < added.size() && (next == null || added.get(a).compareTo(next) < 0)) {
                k[n] = added.get(a);
                v[n++] = changed.get(added.get(a++));
            }
            if (next == null) {
                break;
            }
            FileRecord r = changed.containsKey(next) ? changed.get(next) : values[i];
            if (r != null) {
                k[n] = next;
                v[n++] = r;
            }
        }
        return new PathMap(Arrays.copyOf(k, n), Arrays.copyOf(v, n));
    }

    /** Every path that starts with {@code prefix}, in path order. */
    List<String> keysStartingWith(String prefix) {
        int i = Arrays.binarySearch(keys, prefix);
        List<String> out = new ArrayList<>();
        for (int j = i >= 0 ? i : -i - 1; j < keys.length && keys[j].startsWith(prefix); j++) {
            out.add(keys[j]);
        }
        return out;
    }

    @Override
    public FileRecord get(Object key) {
        return index.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return index.containsKey(key);
    }

    @Override
    public int size() {
        return keys.length;
    }

    @Override
    public Set<Entry<String, FileRecord>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, FileRecord>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < keys.length;
                    }

                    @Override
                    public Entry<String, FileRecord> next() {
                        if (next >= keys.length) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new SimpleImmutableEntry<>(keys[i], values[i]);
                    }
                };
            }

            @Override
            public int size() {
                return keys.length;
            }
        };
    }

    @Override
    public Collection<FileRecord> values() {
        return java.util.Collections.unmodifiableList(Arrays.asList(values));
    }

    @Override
    public Set<String> keySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<String> iterator() {
                return java.util.Collections.unmodifiableList(Arrays.asList(keys)).iterator();
            }

            @Override
            public int size() {
                return keys.length;
            }

            @Override
            public boolean contains(Object o) {
                return index.containsKey(o);
            }
        };
    }
}
