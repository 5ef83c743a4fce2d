package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.InvalidNameException;

class EndpointTest {
    @Test
    void localDataset() {
        assertThat(Endpoint.parse("tank/fs")).isEqualTo(new Endpoint(Optional.empty(), DatasetName.of("tank/fs")));
    }

    @Test
    void remoteWithAndWithoutUser() {
        assertThat(Endpoint.parse("root@nas:tank/fs").sshDestination()).contains("root@nas");
        assertThat(Endpoint.parse("nas:tank").dataset()).isEqualTo(DatasetName.of("tank"));
        assertThat(Endpoint.parse("backup.example.com:pool/a/b").toString()).isEqualTo("backup.example.com:pool/a/b");
        assertThat(Endpoint.parse("back_up@192.0.2.10:tank").sshDestination()).contains("back_up@192.0.2.10");
    }

    @Test
    void ipv6InBrackets() {
        Endpoint e = Endpoint.parse("root@[fe80::1]:tank/fs");
        assertThat(e.sshDestination()).contains("root@fe80::1");
        assertThat(e.dataset().value()).isEqualTo("tank/fs");
        assertThat(Endpoint.parse("[fe80::1%eth0]:tank").sshDestination()).contains("fe80::1%eth0");
    }

    @Test
    void anIpv6EndpointPrintsBackInBracketsAndParsesAgain() {
        Endpoint e = Endpoint.parse("root@[2001:db8::1]:tank/fs");
        assertThat(e.toString()).isEqualTo("root@[2001:db8::1]:tank/fs");
        assertThat(Endpoint.parse(e.toString())).isEqualTo(e);
    }

    @Test
    void colonAfterASlashBelongsToTheDataset() {
        assertThat(Endpoint.parse("tank/a:b").isLocal()).isTrue();
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> Endpoint.parse("")).hasMessageContaining("empty endpoint");
        assertThatThrownBy(() -> Endpoint.parse("host:")).hasMessageContaining("no dataset");
        assertThatThrownBy(() -> Endpoint.parse("-oProxyCommand=x:tank")).hasMessageContaining("invalid host");
        assertThatThrownBy(() -> Endpoint.parse("host:tank/a b;rm")).isInstanceOf(InvalidNameException.class);
    }

    @Test
    void aBadHostIsOneLineNamingTheEndpointTheCharacterAndTheExpectedForm() {
        assertThatThrownBy(() -> Endpoint.parse("nas$(reboot):tank/fs")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid host in endpoint 'nas$(reboot):tank/fs': character '$' (position 4) "
                        + "is not allowed in the host name; expected [user@]host:pool/fs where")
                .hasMessageContaining("IPv6");
        assertThatThrownBy(() -> Endpoint.parse("nas\n-oProxyCommand=x:tank")).hasMessageNotContaining("\n")
                .hasMessageContaining("nas\\n-oProxyCommand");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ro'ot@nas:tank", "root@n`id`as:tank", "a;b:tank", "a|b:tank", "a&b:tank", "\"nas\":tank",
        "na s:tank", "(nas):tank", "@nas:tank", "root@:tank", "-root@nas:tank", ".nas:tank", "[nas]:tank",
        "[fe80::1;x]:tank", "root@[fe80::1%et-h0]:tank", "n\\as:tank"})
    void rejectsHostsWithAnythingButTheExpectedForm(String text) {
        assertThatThrownBy(() -> Endpoint.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid host in endpoint '").hasMessageNotContaining("\n");
    }

    @Test
    void theRecordItselfRefusesABadDestination() {
        assertThatThrownBy(() -> new Endpoint(Optional.of("nas;reboot"), DatasetName.of("tank")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("';'");
    }

    /** A shell metacharacter anywhere in the host part is always rejected. */
    @Property(tries = 500)
    void anyShellMetacharacterInTheHostIsRejected(@ForAll("hostWithMetacharacter") String host) {
        assertThatThrownBy(() -> Endpoint.parse(host + ":tank/fs")).isInstanceOf(IllegalArgumentException.class);
    }

    @Provide
    Arbitrary<String> hostWithMetacharacter() {
        Arbitrary<String> plain = Arbitraries.strings().alpha().numeric().withChars("._-@").ofMinLength(0).ofMaxLength(20);
        Arbitrary<Character> meta = Arbitraries.of("$`;|&'\"()<> \t\n\\*?!~#{}^=,+".chars().mapToObj(c -> (char) c).toList());
        return Combinators.combine(plain, meta, plain).as((a, m, b) -> a + m + b);
    }
}
