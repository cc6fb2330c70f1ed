package org.securonis.bim.core;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What a reload changes: "section.component: old -> new" for every value that differs. */
public final class ConfigDiff {

    private ConfigDiff() {
    }

    /** The differences between two configurations, section by section. */
    public static List<String> between(Config a, Config b) {
        List<String> out = new ArrayList<>();
        diff("monitor", a.monitor(), b.monitor(), out);
        diff("binaries", a.binaries(), b.binaries(), out);
        diff("lockdown", a.lockdown(), b.lockdown(), out);
        diff("response", a.response(), b.response(), out);
        diff("maintenance", a.maintenance(), b.maintenance(), out);
        return out;
    }

    private static void diff(String section, Record a, Record b, List<String> out) {
        for (RecordComponent c : a.getClass().getRecordComponents()) {
            try {
                Object x = c.getAccessor().invoke(a);
                Object y = c.getAccessor().invoke(b);
                if (!Objects.equals(x, y)) {
                    out.add(section + "." + snake(c.getName()) + ": " + x + " -> " + y);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + section + "." + c.getName(), e);
            }
        }
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
