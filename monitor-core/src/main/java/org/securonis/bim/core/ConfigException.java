package org.securonis.bim.core;

import java.util.List;

/** A configuration file was refused; carries every problem found, each as "file:line:column: what". */
public final class ConfigException extends Exception {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem on its own, in file order. */
    public List<String> problems() {
        return problems;
    }
}
