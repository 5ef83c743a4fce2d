package org.zfssync.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ShellQuoteTest {
    @Test
    void leavesSafeWordsAlone() {
        assertThat(ShellQuote.quote("tank/home@zfs-sync_a:1,2")).isEqualTo("tank/home@zfs-sync_a:1,2");
    }

    @Test
    void quotesSpacesQuotesAndShellSyntax() {
        assertThat(ShellQuote.quote("a b")).isEqualTo("'a b'");
        assertThat(ShellQuote.quote("it's")).isEqualTo("'it'\"'\"'s'");
        assertThat(ShellQuote.quote("")).isEqualTo("''");
        assertThat(ShellQuote.quote("$(rm -rf /)")).isEqualTo("'$(rm -rf /)'");
    }

    /** csh expands '!' even inside single quotes and cannot quote a newline: both stay outside the quotes. */
    @Test
    void keepsWhatCshWouldMisreadOutOfTheQuotes() {
        assertThat(ShellQuote.quote("a!b")).isEqualTo("'a'\\!'b'");
        assertThat(ShellQuote.quote("!")).isEqualTo("\\!");
        assertThat(ShellQuote.quote("=1")).as("tcsh: directory stack").isEqualTo("'=1'");
        assertThat(ShellQuote.quote("%1")).as("csh: a job").isEqualTo("'%1'");
        assertThat(ShellQuote.quote("a=1%b")).isEqualTo("a=1%b");
    }

    @Test
    void aNewlineSendsTheCommandThroughShWhereItCanBeSpelled() {
        assertThat(ShellQuote.loginLine(List.of("zfs", "list"))).isEqualTo("zfs list");
        String line = ShellQuote.loginLine(List.of("printf", "%s", "a\nb"));
        assertThat(line).startsWith("sh -c ").doesNotContain("\n");
        assertThat(ShellQuote.scriptJoin(List.of("a\nb"))).isEqualTo("'a'\"$zs_nl\"'b'");
    }

    @Test
    void aLoginScriptMustBeOneLine() {
        assertThatThrownBy(() -> ShellQuote.loginScript("a\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThat(ShellQuote.loginScript("a | b")).isEqualTo("sh -c 'a | b'");
    }

    @Test
    void refusesNul() {
        assertThatThrownBy(() -> ShellQuote.quote("a\0b")).isInstanceOf(IllegalArgumentException.class);
    }

    /** Whatever the argv, a POSIX shell splits the quoted line back into exactly that argv. */
    @Property(tries = 300)
    void argvSurvivesShellUnchanged(@ForAll("arguments") @Size(min = 1, max = 6) List<String> argv)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("printf", "%s\\0"));
        command.addAll(argv);
        Process p = new ProcessBuilder("sh", "-c", ShellQuote.join(command)).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        String[] received = new String(out, StandardCharsets.UTF_8).split("\0", -1);
        assertThat(List.of(received).subList(0, received.length - 1)).containsExactlyElementsOf(argv);
    }

    @Provide
    Arbitrary<List<String>> arguments() {
        Arbitrary<String> nasty = Arbitraries.strings()
                .withChars("'\"\\$`!*?[]{}();&|<> \t\n~#%=:,.-_/@")
                .alpha().numeric()
                .withCharRange('\u00e0', '\u00ff')
                .ofMinLength(0).ofMaxLength(20);
        return nasty.list().ofMinSize(1).ofMaxSize(6);
    }
}
