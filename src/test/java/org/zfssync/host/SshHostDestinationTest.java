package org.zfssync.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Destinations are checked strictly: nothing a shell or ssh reads as syntax or an option gets through. */
class SshHostDestinationTest {
    /** The characters shells give meaning to (besides '[' ']' '%' ':', which only IPv6 may use). */
    static final String METACHARACTERS = "$`;|&'\"()<> \t\n\\*?!~#{}^=,+";

    private static SshHost host(String destination) {
        return new SshHost(destination, SshOptions.defaults(), null, (h, d, s) -> { });
    }

    @ParameterizedTest
    @ValueSource(strings = {"nas", "root@nas", "backup.example.com", "back_up@nas-2.lan", "192.0.2.10", "u@192.0.2.10",
        "fe80::1", "root@fe80::1", "[fe80::1]", "root@[2001:db8::1]", "[fe80::1%eth0]", "root@fe80::1%25", "[::ffff:192.0.2.1]",
        "my.alias"})
    void acceptsNamesAddressesAndAliases(String destination) {
        assertThat(SshHost.destinationProblem(destination)).isEmpty();
        assertThat(host(destination).name()).isEqualTo(destination);
    }

    @Test
    void sshGetsAnIpv6AddressWithoutBrackets() {
        SshHost h = new SshHost("root@[fe80::1%eth0]", SshOptions.defaults(), null, (x, d, s) -> { });
        assertThat(h.display(Command.reading("true"))).contains(" root@fe80::1%eth0 true");
    }

    @Test
    void namesTheCharacterItsPositionAndTheExpectedForm() {
        assertThatThrownBy(() -> host("nas;reboot")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid ssh destination 'nas;reboot': character ';' (position 4) is not allowed "
                        + "in the host name; expected [user@]host where")
                .hasMessageContaining("IPv6");
        assertThat(SshHost.destinationProblem("ro$t@nas")).contains("character '$' (position 3) is not allowed in the user name");
        assertThat(SshHost.destinationProblem("a b")).contains("character ' ' (space) (position 2) is not allowed in the host name");
    }

    @Test
    void theMessageIsOneLineEvenForControlCharacters() {
        assertThatThrownBy(() -> host("nas\nevil")).hasMessageNotContaining("\n").hasMessageContaining("nas\\nevil")
                .hasMessageContaining("U+000A");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-oProxyCommand=x", "-nas", ".nas", "@nas", "root@", "-root@nas", "a@b@c", "[fe80::1",
        "[nas]", "[fe80::1%]", "[fe80::1%eth-0]", "[fe80::g]", "nas:22", "[]", "ro ot@nas", "nas/x", "n\u00e4s"})
    void rejectsEverythingElse(String destination) {
        Optional<String> problem = SshHost.destinationProblem(destination);
        assertThat(problem).as(destination).isPresent();
        assertThatThrownBy(() -> host(destination)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(problem.get());
    }

    /** A shell metacharacter anywhere, in an otherwise fine destination, is always refused. */
    @Property(tries = 500)
    void anyShellMetacharacterIsRejected(@ForAll("withMetacharacter") String destination) {
        assertThat(SshHost.destinationProblem(destination)).as(destination).isPresent();
        assertThatThrownBy(() -> host(destination)).isInstanceOf(IllegalArgumentException.class);
    }

    @Provide
    Arbitrary<String> withMetacharacter() {
        return withMetacharacter(METACHARACTERS);
    }

    /** user@host-like text from allowed characters with one metacharacter inserted somewhere. */
    static Arbitrary<String> withMetacharacter(String metacharacters) {
        Arbitrary<String> plain = Arbitraries.strings().alpha().numeric().withChars("._-@").ofMinLength(0).ofMaxLength(20);
        Arbitrary<Character> meta = Arbitraries.of(metacharacters.chars().mapToObj(c -> (char) c).toList());
        return Combinators.combine(plain, meta, plain).as((a, m, b) -> a + m + b);
    }

    @Test
    void userOptionsComeBeforeZfsSyncsAndTheControlSocketIsPrivate(@TempDir Path runtime) {
        SshOptions options = new SshOptions(Optional.of(2222), Optional.empty(), Optional.empty(),
                List.of("ConnectTimeout=5"));
        ControlDirectory dir = ControlDirectory.create(runtime, "true");
        try {
            List<String> argv = new SshHost("nas", options, dir, (h, d, s) -> { }).controlArgv("zfs list");
            assertThat(argv.subList(0, 5)).containsExactly("ssh", "-p", "2222", "-o", "ConnectTimeout=5");
            assertThat(argv).doesNotContain("ConnectTimeout=30").contains("BatchMode=yes")
                    .contains("ControlPath=" + dir.path() + "/%C");
            assertThat(argv.subList(argv.size() - 2, argv.size())).containsExactly("nas", "zfs list");
        } finally {
            dir.close();
        }
    }
}
