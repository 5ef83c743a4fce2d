package org.zfssync.zfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InventoryTest {
    @Test
    void countsSnapshotsAndFindsTheNewestByCreateTxgAtEveryLevel() {
        String out = """
                tank\tfilesystem\t3000\t100\t1700000000\t1
                tank/a\tfilesystem\t2000\t1000\t1700000100\t10
                tank/a@new\tsnapshot\t0\t1000\t1700000300\t30
                tank/a@old\tsnapshot\t0\t900\t1700000200\t20
                tank/a/b/c\tvolume\t500\t500\t1700000400\t40
                """;
        List<Inventory.Row> rows = Inventory.parse(out);
        assertThat(rows).extracting(Inventory.Row::name).containsExactly("tank", "tank/a", "tank/a/b/c");
        assertThat(rows.get(1)).isEqualTo(new Inventory.Row("tank/a", "filesystem", 2000, 1000, 2, "new", 1700000300));
        assertThat(rows.get(2).snapshots()).isZero();
        assertThat(rows.get(2).newestSnapshot()).isNull();
    }
}
