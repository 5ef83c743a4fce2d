package org.zfssync.permissions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PermissionModelTest {
    private static final List<String> SOURCE_ALWAYS = List.of("bookmark", "destroy", "hold", "mount", "release", "send");
    private static final List<String> TARGET_ALWAYS = List.of("create", "destroy", "mount", "receive");

    /** Every combination of the six flags, against an expectation written out flag by flag. */
    @Test
    void everyOptionSetGivesExactlyItsPermissions() {
        int combinations = 0;
        for (int bits = 0; bits < 64; bits++) {
            boolean snapshot = (bits & 1) != 0;
            boolean raw = (bits & 2) != 0;
            boolean props = (bits & 4) != 0;
            boolean rollback = (bits & 8) != 0;
            boolean force = (bits & 16) != 0;
            boolean readonly = (bits & 32) != 0;
            Required r = PermissionModel.required(new DelegationOptions(snapshot, raw, props, rollback, force, readonly,
                    Set.of(), Set.of()));

            Set<String> source = new TreeSet<>(SOURCE_ALWAYS);
            if (snapshot) {
                source.add("snapshot");
            }
            Set<String> target = new TreeSet<>(TARGET_ALWAYS);
            if (readonly) {
                target.add("readonly");
            }
            if (rollback || force) {
                target.add("rollback");
            }
            if (props) {
                target.add("userprop");
            }
            String what = "snapshot=" + snapshot + " raw=" + raw + " props=" + props + " rollback=" + rollback
                    + " force=" + force + " readonly=" + readonly;
            assertThat(r.source().names()).as(what).isEqualTo(String.join(",", source));
            assertThat(r.target().names()).as(what).isEqualTo(String.join(",", target));
            assertThat(r.source().needs()).as(what).allSatisfy(n -> assertThat(n.reason()).isNotBlank());
            assertThat(r.target().needs()).as(what).allSatisfy(n -> assertThat(n.reason()).isNotBlank());
            combinations++;
        }
        assertThat(combinations).isEqualTo(64);
    }

    @Test
    void aPlainSyncNeedsWhatTheReadmeOnceListedByHand() {
        Required r = PermissionModel.required(DelegationOptions.defaults());
        assertThat(r.source().names()).isEqualTo("bookmark,destroy,hold,mount,release,send,snapshot");
        assertThat(r.target().names()).isEqualTo("create,destroy,mount,readonly,receive");
    }

    @Test
    void rollbackIsNeededOnlyWhenAllowedAndNamesEachFlagThatNeedsIt() {
        assertThat(PermissionModel.required(DelegationOptions.defaults()).target().names()).doesNotContain("rollback");
        Required both = PermissionModel.required(new DelegationOptions(true, false, false, true, true, true, Set.of(),
                Set.of()));
        Need rollback = both.target().needs().stream().filter(n -> n.permission().equals("rollback")).findFirst()
                .orElseThrow();
        assertThat(rollback.reason()).contains("--rollback", "--force-overwrite");
    }

    @Test
    void receiveOptionsNeedTheirPropertyAndUserPropertiesNeedUserprop() {
        Required r = PermissionModel.required(new DelegationOptions(true, false, false, false, false, true,
                Set.of("compression", "com.example:tag"), Set.of("mountpoint")));
        assertThat(r.target().names()).isEqualTo("compression,create,destroy,mount,mountpoint,readonly,receive,userprop");
        assertThat(r.target().needs()).contains(new Need("mountpoint", "--recv-exclude mountpoint"));
    }

    @Test
    void readonlyIsNotNeededWhenTheUserSetsOrExcludesItThemselves() {
        Required set = PermissionModel.required(new DelegationOptions(true, false, false, false, false, true,
                Set.of("readonly"), Set.of()));
        assertThat(set.target().needs()).filteredOn(n -> n.permission().equals("readonly"))
                .extracting(Need::reason).containsExactly("--recv-option readonly=...");
        Required excluded = PermissionModel.required(new DelegationOptions(true, false, false, false, false, true,
                Set.of(), Set.of("readonly")));
        assertThat(excluded.target().needs()).filteredOn(n -> n.permission().equals("readonly"))
                .extracting(Need::reason).containsExactly("--recv-exclude readonly");
    }

    @Test
    void rawNamesTheRawSendAsTheReason() {
        Required raw = PermissionModel.required(new DelegationOptions(true, true, false, false, false, true, Set.of(),
                Set.of()));
        assertThat(raw.source().needs()).contains(new Need("send", "zfs send -w (raw) of every stream"));
    }

    @Test
    void missingFromKeepsOnlyWhatIsNotGranted() {
        Permissions target = PermissionModel.required(DelegationOptions.defaults()).target();
        List<String> granted = new ArrayList<>(List.of("create", "mount", "receive"));
        assertThat(target.missingFrom(granted).names()).isEqualTo("destroy,readonly");
        granted.addAll(List.of("destroy", "readonly"));
        assertThat(target.missingFrom(granted).isEmpty()).isTrue();
    }

    @Test
    void quarantineNeedsRenameAndTheTwoPropertiesOfTheAsideCopy() {
        DelegationOptions q = new DelegationOptions(true, false, false, false, false, true, java.util.Set.of(),
                java.util.Set.of(), true);
        String target = PermissionModel.required(q).target().names();
        org.assertj.core.api.Assertions.assertThat(target).contains("rename", "mountpoint", "readonly");
        org.assertj.core.api.Assertions.assertThat(PermissionModel.required(DelegationOptions.defaults()).target()
                .names()).doesNotContain("rename");
    }
}
