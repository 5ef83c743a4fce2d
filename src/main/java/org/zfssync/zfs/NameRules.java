package org.zfssync.zfs;

/**
 * ZFS's naming rules (after OpenZFS's zfs_namecheck.c), checked before any command is built so
 * a bad name fails with a clear message instead of reaching a shell or a zfs error.
 */
public final class NameRules {
    /** ZFS_MAX_DATASET_NAME_LEN is 256 including the terminating NUL. */
    public static final int MAX_NAME_LENGTH = 255;

    private NameRules() {
    }

    /** Characters allowed in a component: alphanumerics and {@code - _ . : space}. */
    static boolean validChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.' || c == ':' || c == ' ';
    }

    /** Checks one component (a path element, or the part after @ or #). */
    static void checkComponent(String full, String component, String what) {
        if (component.isEmpty()) {
            throw new InvalidNameException("invalid " + what + " name '" + full + "': empty component");
        }
        if (component.equals(".") || component.equals("..")) {
            throw new InvalidNameException("invalid " + what + " name '" + full + "': '" + component
                    + "' is not allowed as a component");
        }
        for (int i = 0; i < component.length(); i++) {
            char c = component.charAt(i);
            if (!validChar(c)) {
                throw new InvalidNameException("invalid " + what + " name '" + full + "': character '"
                        + printable(c) + "' is not allowed (use letters, digits, - _ . : and space)");
            }
        }
    }

    static void checkDataset(String name) {
        if (name.isEmpty()) {
            throw new InvalidNameException("empty dataset name");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new InvalidNameException("dataset name '" + name.substring(0, 40) + "…' is longer than "
                    + MAX_NAME_LENGTH + " characters");
        }
        if (name.indexOf('@') >= 0 || name.indexOf('#') >= 0) {
            throw new InvalidNameException("invalid dataset name '" + name
                    + "': '@' and '#' belong to snapshot and bookmark names, not datasets");
        }
        if (name.startsWith("/") || name.endsWith("/")) {
            throw new InvalidNameException("invalid dataset name '" + name + "': leading or trailing '/'");
        }
        char first = name.charAt(0);
        if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) {
            throw new InvalidNameException("invalid dataset name '" + name + "': a pool name must begin with a letter");
        }
        for (String component : name.split("/", -1)) {
            checkComponent(name, component, "dataset");
        }
    }

    private static String printable(char c) {
        return c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c);
    }
}
