package org.zfssync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PickListTest {
    private static final List<String> DATASETS = List.of("tank", "tank/home", "tank/home/alice", "tank/vm",
            "tank/vm/web", "backup/home");

    /** Feeds raw terminal bytes through the key decoder into the list, as the terminal picker does. */
    private static PickList typed(String bytes) throws IOException {
        PickList list = new PickList(DATASETS);
        InputStream in = new ByteArrayInputStream(bytes.getBytes(StandardCharsets.ISO_8859_1));
        while (list.press(PickList.read(in))) {
            // keep reading until chosen, cancelled or the input ends
        }
        return list;
    }

    @Test
    void typingFiltersByEveryWordAnyCaseAndEnterChoosesTheSelection() throws IOException {
        assertThat(typed("HOME al\r").chosen()).contains("tank/home/alice");
    }

    @Test
    void arrowsMoveWithinTheMatchesAndStopAtTheEnds() throws IOException {
        assertThat(typed("vm\u001b[B\u001b[B\u001b[B\r").chosen()).contains("tank/vm/web");
        assertThat(typed("vm\u001b[B\u001b[A\u001b[A\r").chosen()).contains("tank/vm");
        assertThat(typed("\u001bOB\r").chosen()).as("application-mode arrows").contains("tank/home");
    }

    @Test
    void backspaceWidensTheFilterAgain() throws IOException {
        PickList list = new PickList(DATASETS);
        "vmx".chars().forEach(c -> list.press(new PickList.Key.Char((char) c)));
        assertThat(list.matching()).isEmpty();
        assertThat(list.press(new PickList.Key.Enter())).as("Enter on nothing does nothing").isTrue();
        list.press(new PickList.Key.Backspace());
        assertThat(list.matching()).containsExactly("tank/vm", "tank/vm/web");
    }

    @Test
    void escapeCtrlDAndEndOfInputCancel() throws IOException {
        assertThat(typed("home\u001b").chosen()).isEmpty();
        assertThat(typed("home\u0004").chosen()).isEmpty();
        assertThat(typed("home").chosen()).isEqualTo(Optional.empty());
    }

    @Test
    void theVisibleWindowFollowsTheSelection() {
        PickList list = new PickList(java.util.stream.IntStream.range(0, 100).mapToObj(i -> "tank/d" + i).toList());
        assertThat(list.firstVisible(10)).isZero();
        for (int i = 0; i < 50; i++) {
            list.press(new PickList.Key.Down());
        }
        assertThat(list.firstVisible(10)).isEqualTo(45);
        for (int i = 0; i < 60; i++) {
            list.press(new PickList.Key.Down());
        }
        assertThat(list.selected()).isEqualTo(99);
        assertThat(list.firstVisible(10)).isEqualTo(90);
    }
}
