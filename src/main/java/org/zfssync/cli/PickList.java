package org.zfssync.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The state of a filterable pick list: type to filter (every word must appear, any case), arrows
 * to move, Enter to choose, Esc or Ctrl-D to give up. Pure: keys in, state out; the terminal side
 * is {@link TerminalPicker}.
 */
final class PickList {
    /** What a key press means to the list. */
    sealed interface Key permits Key.Char, Key.Up, Key.Down, Key.Backspace, Key.Enter, Key.Cancel, Key.Ignored {
        record Char(char c) implements Key {
        }

        record Up() implements Key {
        }

        record Down() implements Key {
        }

        record Backspace() implements Key {
        }

        record Enter() implements Key {
        }

        record Cancel() implements Key {
        }

        record Ignored() implements Key {
        }
    }

    private final List<String> items;
    private final StringBuilder filter = new StringBuilder();
    private List<String> matching;
    private int selected;
    private boolean done;
    private String chosen;

    PickList(List<String> items) {
        this.items = List.copyOf(items);
        this.matching = this.items;
    }

    /** Applies one key; returns false once the list is finished (chosen or cancelled). */
    boolean press(Key key) {
        if (done) {
            return false;
        }
        if (key instanceof Key.Char c) {
            filter.append(c.c());
            refilter();
        } else if (key instanceof Key.Backspace && filter.length() > 0) {
            filter.setLength(filter.length() - 1);
            refilter();
        } else if (key instanceof Key.Up && selected > 0) {
            selected--;
        } else if (key instanceof Key.Down && selected < matching.size() - 1) {
            selected++;
        } else if (key instanceof Key.Enter && !matching.isEmpty()) {
            chosen = matching.get(selected);
            done = true;
        } else if (key instanceof Key.Cancel) {
            done = true;
        }
        return !done;
    }

    private void refilter() {
        String[] words = filter.toString().toLowerCase(Locale.ROOT).trim().split("\\s+");
        List<String> result = new ArrayList<>();
        for (String item : items) {
            String lower = item.toLowerCase(Locale.ROOT);
            boolean all = true;
            for (String w : words) {
                all &= lower.contains(w);
            }
            if (all) {
                result.add(item);
            }
        }
        matching = result;
        selected = Math.min(selected, Math.max(0, matching.size() - 1));
    }

    String filter() {
        return filter.toString();
    }

    int total() {
        return items.size();
    }

    List<String> matching() {
        return matching;
    }

    int selected() {
        return selected;
    }

    Optional<String> chosen() {
        return Optional.ofNullable(chosen);
    }

    /** The window of at most {@code rows} matches that keeps the selection in view. */
    int firstVisible(int rows) {
        return Math.max(0, Math.min(selected - rows / 2, matching.size() - rows));
    }

    /**
     * Reads one key from a terminal in non-canonical mode: printable characters, arrows as
     * {@code ESC [ A/B} (or {@code ESC O A/B}), Backspace (127 or 8), Enter (13 or 10), Esc
     * alone or Ctrl-D to cancel; end of input cancels too.
     */
    static Key read(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0 || b == 4) {
            return new Key.Cancel();
        }
        if (b == 27) {
            // An arrow arrives as one burst; a lone Esc has nothing after it.
            if (in.available() == 0) {
                return new Key.Cancel();
            }
            int b2 = in.read();
            if (b2 != '[' && b2 != 'O') {
                return new Key.Cancel();
            }
            int b3 = in.read();
            return b3 == 'A' ? new Key.Up() : b3 == 'B' ? new Key.Down() : new Key.Ignored();
        }
        if (b == 127 || b == 8) {
            return new Key.Backspace();
        }
        if (b == 13 || b == 10) {
            return new Key.Enter();
        }
        if (b >= 32 && b < 127) {
            return new Key.Char((char) b);
        }
        return new Key.Ignored();
    }
}
