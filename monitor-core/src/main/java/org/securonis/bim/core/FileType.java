package org.securonis.bim.core;

/** The kind of a file system object, as {@code lstat} reports it; symlinks are never followed. */
public enum FileType {
    FILE("file"),
    DIR("dir"),
    SYMLINK("symlink"),
    FIFO("fifo"),
    SOCKET("socket"),
    CHAR_DEVICE("char_device"),
    BLOCK_DEVICE("block_device"),
    UNKNOWN("unknown");

    private final String label;

    FileType(String label) {
        this.label = label;
    }

    /** The name used in JSON ({@code file.type} follows ECS for file, dir and symlink). */
    public String label() {
        return label;
    }

    /** Parses a label written by {@link #label()}. */
    public static FileType ofLabel(String label) {
        for (FileType t : values()) {
            if (t.label.equals(label)) {
                return t;
            }
        }
        throw new IllegalArgumentException("type (" + label + ") is not a known file type");
    }

    /** Maps the {@code S_IFMT} bits of a {@code st_mode}. */
    static FileType ofMode(int mode) {
        switch (mode & 0170000) {
            case 0100000: return FILE;
            case 0040000: return DIR;
            case 0120000: return SYMLINK;
            case 0010000: return FIFO;
            case 0140000: return SOCKET;
            case 0020000: return CHAR_DEVICE;
            case 0060000: return BLOCK_DEVICE;
            default: return UNKNOWN;
        }
    }
}
