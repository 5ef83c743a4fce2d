package org.zfssync.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DatasetNameTest {
    @ParameterizedTest
    @ValueSource(strings = {"tank", "tank/home", "tank/my data", "t-1/a_b.c:d", "Z/x"})
    void acceptsValidNames(String name) {
        assertThat(DatasetName.of(name).value()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/tank", "tank/", "tank//a", "1tank", "-tank", "tank/a@b", "tank/a#b", "tank/./a",
        "tank/../a", "tank/a;rm", "tank/$x", "tank/a\nb", "tank/a'b", "tank/é"})
    void rejectsInvalidNames(String name) {
        assertThatThrownBy(() -> DatasetName.of(name)).isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("name");
    }

    @Test
    void rejectsTooLongNames() {
        assertThatThrownBy(() -> DatasetName.of("tank/" + "a".repeat(251))).hasMessageContaining("longer than 255");
        assertThat(DatasetName.of("tank/" + "a".repeat(250)).value()).hasSize(255);
    }

    @Test
    void navigatesTheTree() {
        DatasetName n = DatasetName.of("tank/a/b");
        assertThat(n.parent()).isEqualTo(DatasetName.of("tank/a"));
        assertThat(DatasetName.of("tank").parent()).isNull();
        assertThat(n.relativeTo(DatasetName.of("tank"))).isEqualTo("a/b");
        assertThat(n.isSelfOrDescendantOf(DatasetName.of("tank/a"))).isTrue();
        assertThat(DatasetName.of("tank/ab").isSelfOrDescendantOf(DatasetName.of("tank/a"))).isFalse();
        assertThat(DatasetName.of("backup").resolve("a/b")).isEqualTo(DatasetName.of("backup/a/b"));
        assertThat(n.depth()).isEqualTo(2);
    }

    @Test
    void validatesSnapshotNames() {
        assertThat(DatasetName.of("tank").snapshot("daily-1")).isEqualTo("tank@daily-1");
        assertThatThrownBy(() -> DatasetName.of("tank").snapshot("a@b")).isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> DatasetName.of("tank").snapshot("")).isInstanceOf(InvalidNameException.class);
    }
}
