package org.zfssync.permissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class AllowListingTest {
    /** The shape of zfs-allow(8)'s example, tab-indented as OpenZFS prints it. */
    private static final String FRED = """
            ---- Permissions on pool/fred ----------------------------------------
            Permission sets:
            \t@eng create,destroy,snapshot,mount,clone,promote,rename
            \t@simple create,mount
            Create time permissions:
            \t@eng,mountpoint
            Local permissions:
            \tuser tom @eng
            \tuser joe create,destroy,mount
            Local+Descendent permissions:
            \tuser fred @basic,share,rename
            \tuser barney @basic
            \tgroup staff @basic
            ---- Permissions on pool ---------------------------------------------
            Permission sets:
            \t@basic send,hold
            \t@simple create,destroy,mount
            Local permissions:
            \tgroup staff @simple
            Descendent permissions:
            \teveryone bookmark
            """;

    @Test
    void parsesEverySectionHeadingAndGrant() {
        AllowListing l = AllowListing.parse(FRED);
        assertThat(l.sections()).extracting(AllowListing.Section::dataset).containsExactly("pool/fred", "pool");
        AllowListing.Section fred = l.sections().get(0);
        assertThat(fred.sets()).containsKeys("@eng", "@simple");
        assertThat(fred.grants()).hasSize(5);
        assertThat(fred.grants().get(1)).isEqualTo(new AllowListing.Grant(AllowListing.Scope.LOCAL, "user", "joe",
                Set.of("create", "destroy", "mount")));
        assertThat(l.sections().get(1).grants().get(1)).isEqualTo(new AllowListing.Grant(AllowListing.Scope.DESCENDENT,
                "everyone", "", Set.of("bookmark")));
    }

    @Test
    void localGrantsCountOnTheDatasetDescendentOnesFromAncestors() {
        AllowListing l = AllowListing.parse(FRED);
        // joe: local on pool/fred, plus everyone's descendent grant from pool.
        assertThat(l.effective("pool/fred", "joe", Set.of())).containsExactlyInAnyOrder("create", "destroy", "mount",
                "bookmark");
        // On pool itself the descendent grant does not count, and joe has nothing there.
        assertThat(l.effective("pool", "joe", Set.of())).isEmpty();
    }

    @Test
    void setsExpandWhereTheyAreDefinedOrFromTheNearestAncestor() {
        AllowListing l = AllowListing.parse(FRED);
        assertThat(l.effective("pool/fred", "tom", Set.of())).containsExactlyInAnyOrder("create", "destroy",
                "snapshot", "mount", "clone", "promote", "rename", "bookmark");
        // @basic is defined only on pool.
        assertThat(l.effective("pool/fred", "fred", Set.of())).containsExactlyInAnyOrder("send", "hold", "share",
                "rename", "bookmark");
    }

    @Test
    void groupGrantsApplyToMembersOnly() {
        AllowListing l = AllowListing.parse(FRED);
        assertThat(l.effective("pool", "ann", Set.of("staff"))).containsExactlyInAnyOrder("create", "destroy", "mount");
        assertThat(l.effective("pool", "ann", Set.of("users"))).isEmpty();
    }

    @Test
    void noDelegationsIsAnEmptyListing() {
        assertThat(AllowListing.parse("").sections()).isEmpty();
        assertThat(AllowListing.parse("").effective("tank/a", "backup", Set.of())).isEmpty();
    }

    @Test
    void anUnknownLineIsAnErrorNamingIt() {
        assertThatThrownBy(() -> AllowListing.parse("""
                ---- Permissions on tank ----
                Local+Descendent permissions:
                \tcomputer backup send
                """)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'computer backup send'");
        assertThatThrownBy(() -> AllowListing.parse("Odd heading:\n")).hasMessageContaining("'Odd heading:'");
    }

    @Test
    void aSetThatNamesItselfEndsTheExpansion() {
        AllowListing l = AllowListing.parse("""
                ---- Permissions on tank ----
                Permission sets:
                \t@loop @loop,send
                Local+Descendent permissions:
                \tuser backup @loop
                """);
        assertThat(l.effective("tank", "backup", Set.of())).containsExactly("send");
    }
}
