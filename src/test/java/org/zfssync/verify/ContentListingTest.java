package org.zfssync.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class ContentListingTest {
    private static final String HASH_A = "a".repeat(64);
    private static final String HASH_B = "b".repeat(64);

    /** Output as the tree script prints it: NUL-separated records in sections. */
    private static String output(String... records) {
        return String.join("\0", records) + "\0";
    }

    private static final String TREE = output("d 755 0 0 4 ", "d 755 0 0 3 dir", "f 644 0 0 6 dir/small",
            "f 600 1000 1000 2097152 dir/big", "l 777 0 0 9 link", "#L", "link", "dir/small", "#H",
            HASH_A + "  ./dir/small", HASH_B + "  ./dir/big", "#E");

    @Test
    void parsesMetadataLinkTargetsAndContentHashesByPath() {
        SortedMap<String, ContentListing.Entry> entries = ContentListing.parse(TREE);
        assertThat(entries.keySet()).containsExactly(".", "dir", "dir/big", "dir/small", "link");
        assertThat(entries.get("dir/big")).isEqualTo(new ContentListing.Entry("f", "600", "1000:1000", 2097152, HASH_B));
        assertThat(entries.get("link").content()).isEqualTo("-> dir/small");
        assertThat(entries.get("dir").content()).isNull();
        assertThat(ContentListing.differences(entries, ContentListing.parse(TREE))).isEmpty();
        assertThat(ContentListing.digest(entries)).isEqualTo(ContentListing.digest(ContentListing.parse(TREE)));
    }

    @Test
    void namesEachDifferingPathInPathOrderWithWhatDiffers() {
        String target = output("d 755 0 0 4 ", "d 755 0 0 3 dir", "f 664 0 0 6 dir/small",
                "f 600 1000 1000 2097152 dir/big", "f 644 0 0 1 extra", "#L", "#H", HASH_A + "  ./dir/small",
                HASH_A + "  ./dir/big", HASH_A + "  ./extra", "#E");
        assertThat(ContentListing.differences(ContentListing.parse(TREE), ContentListing.parse(target)))
                .containsExactly("dir/big: content differs (source vs target)",
                        "dir/small: mode 644 vs 664 (source vs target)",
                        "extra: only on the target",
                        "link: only on the source");
    }

    @Test
    void aSizeOrOwnerChangeIsNamedAndDirectorySizesAreIgnored() {
        String a = output("d 755 0 0 3 .", "d 755 0 0 5 d", "f 644 0 0 6 f", "#L", "#H", HASH_A + "  ./f", "#E");
        String b = output("d 755 0 0 9 .", "d 755 0 0 7 d", "f 644 0 1 7 f", "#L", "#H", HASH_A + "  ./f", "#E");
        assertThat(ContentListing.differences(ContentListing.parse(a), ContentListing.parse(b)))
                .containsExactly("f: owner 0:0 vs 0:1, size 6 vs 7 (source vs target)");
    }

    @Test
    void namesWithSpacesAndNewlinesSurviveTheParse() {
        String a = output("d 755 0 0 3 .", "f 644 0 0 1 a b\nc", "#L", "#H", HASH_A + "  ./a b\nc", "#E");
        assertThat(ContentListing.parse(a).get("a b\nc").content()).isEqualTo(HASH_A);
    }

    @Test
    void anOutputCutShortIsNeverTakenForASmallerTree() {
        assertThatThrownBy(() -> ContentListing.parse(output("d 755 0 0 3 .", "#L", "#H")))
                .hasMessageContaining("ended early");
        assertThatThrownBy(() -> ContentListing.parse(output("garbage", "#E"))).hasMessageContaining("unreadable");
    }

    @Test
    void manyDifferencesAreNamedUpToALimitThenCounted() {
        StringBuilder a = new StringBuilder();
        for (int i = 0; i < ContentListing.SHOWN + 5; i++) {
            a.append(String.format("f 644 0 0 1 f%03d", i)).append('\0');
        }
        a.append("#L\0#H\0#E\0");
        var differences = ContentListing.differences(ContentListing.parse(a.toString()),
                ContentListing.parse(output("#L", "#H", "#E")));
        assertThat(differences).hasSize(ContentListing.SHOWN + 1);
        assertThat(differences.get(0)).isEqualTo("f000: only on the source");
        assertThat(differences.get(ContentListing.SHOWN)).isEqualTo("… and 5 more differing path(s)");
    }
}
