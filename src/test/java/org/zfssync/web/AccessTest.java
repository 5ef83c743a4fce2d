package org.zfssync.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token rules and the listen address, without a network. */
class AccessTest {
    @TempDir
    Path dir;

    private BearerToken token(String content) throws Exception {
        return BearerToken.read(Files.writeString(dir.resolve("token"), content));
    }

    @Test
    void theTokenIsTheFilesFirstLineAndTheSchemeIsCaseInsensitive() throws Exception {
        BearerToken token = token("  abc123  \nsecond line\n");
        assertThat(token.admits("Bearer abc123")).isTrue();
        assertThat(token.admits("bearer  abc123 ")).isTrue();
        assertThat(token.admits("Bearer abc1234")).isFalse();
        assertThat(token.admits("Bearer abc12")).isFalse();
        assertThat(token.admits("Basic abc123")).isFalse();
        assertThat(token.admits("abc123")).isFalse();
        assertThat(token.admits(null)).isFalse();
        assertThat(token.toString()).doesNotContain("abc123");
    }

    @Test
    void anEmptyTokenFileIsRefused() {
        assertThatThrownBy(() -> token("\n  \n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is empty", "openssl rand -hex 32");
    }

    @Test
    void offLoopbackEverythingButHealthzNeedsTheToken() throws Exception {
        AccessPolicy policy = new AccessPolicy(Optional.of(token("t0k")), false, ListenAddress.parse("10.0.0.1:9860"));
        assertThat(policy.admits("GET", "/", null)).isFalse();
        assertThat(policy.admits("GET", "/metrics", null)).isFalse();
        assertThat(policy.admits("GET", "/api/status", "Bearer wrong")).isFalse();
        assertThat(policy.admits("GET", "/api/status", "Bearer t0k")).isTrue();
        assertThat(policy.admits("POST", "/api/jobs/a/run", "Bearer t0k")).isTrue();
        assertThat(policy.admits("GET", "/healthz", null)).isTrue();
    }

    @Test
    void onLoopbackWithoutATokenEverythingIsOpen() {
        AccessPolicy policy = new AccessPolicy(Optional.empty(), true, ListenAddress.DEFAULT);
        assertThat(policy.admits("POST", "/api/jobs/a/run", null)).isTrue();
        assertThat(policy.admits("GET", "/", null)).isTrue();
    }

    @Test
    void listenAddressesParseOrSayWhatIsExpected() {
        assertThat(ListenAddress.parse("127.0.0.1:9860")).isEqualTo(ListenAddress.DEFAULT);
        assertThat(ListenAddress.parse("[::1]:9860")).isEqualTo(new ListenAddress("::1", 9860));
        assertThat(ListenAddress.parse("[::1]:9860").toString()).isEqualTo("[::1]:9860");
        assertThat(ListenAddress.parse("localhost:80").isLoopback()).isTrue();
        assertThat(HttpSettings.of(null, null).listen()).isEqualTo(ListenAddress.DEFAULT);
        for (String bad : new String[] {"9860", "127.0.0.1", "127.0.0.1:", ":9860", "127.0.0.1:port", "::1:9860", ""}) {
            assertThatThrownBy(() -> ListenAddress.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not HOST:PORT");
        }
        assertThatThrownBy(() -> ListenAddress.parse("127.0.0.1:70000")).hasMessageContaining("out of range");
    }
}
