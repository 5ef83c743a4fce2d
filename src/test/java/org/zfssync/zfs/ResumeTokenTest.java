package org.zfssync.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResumeTokenTest {
    static final String FULL = org.zfssync.testing.Tokens.FULL_S1;

    @Test
    void decodesARealToken() {
        ResumeToken t = ResumeToken.decode(FULL);
        // `zfs get guid tok/a@s1` printed 3733534622378937118; `zfs send -nvt` showed toguid = 0x33d02df53b84cb1e.
        assertThat(t.toGuid()).isEqualTo(3733534622378937118L).isEqualTo(0x33d02df53b84cb1eL);
        assertThat(t.toName()).isEqualTo("tok/a@s1");
        assertThat(t.toSnapshotName()).isEqualTo("s1");
        assertThat(t.fromGuid()).isZero();
        assertThat(t.bytes()).isEqualTo(0xe1288);
        assertThat(t.raw()).isFalse();
    }

    @Test
    void rejectsGarbageWithAClearMessage() {
        assertThatThrownBy(() -> ResumeToken.decode("nonsense")).hasMessageContaining("not a version 1 resume token");
        assertThatThrownBy(() -> ResumeToken.decode("1-0-b8-zz")).hasMessageContaining("corrupt resume token");
        assertThatThrownBy(() -> ResumeToken.decode("1-0-b8-789c")).hasMessageContaining("truncated");
    }
}
