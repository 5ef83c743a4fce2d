package org.zfssync.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class MailNotifierTest {
    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP)
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("zfs", "s3cret"))
            .withPerMethodLifecycle(true);
    private static final Alert ALERT = new Alert(Alert.Kind.RPO_OVER, "vms", "nas:pool/vm",
            "newest replicated snapshot is 7h 0m old, over 6h 0m", Instant.parse("2026-06-01T10:00:00Z"));

    @TempDir
    Path dir;

    private MailNotifier.Server server(boolean starttls, Path passwordFile) {
        return new MailNotifier.Server("127.0.0.1", SMTP.getSmtp().getPort(), starttls, passwordFile == null ? null : "zfs",
                passwordFile, Duration.ofSeconds(5));
    }

    @Test
    void mailsTheAlertAuthenticatedWithThePasswordFromItsFile() throws Exception {
        Path password = Files.writeString(dir.resolve("pw"), "s3cret\nignored second line\n");
        new MailNotifier(server(false, password), "zfs-sync@example.org", List.of("a@example.org", "b@example.org"))
                .send(ALERT);
        MimeMessage[] received = SMTP.getReceivedMessages();
        assertThat(received).hasSize(2);
        assertThat(received[0].getSubject()).isEqualTo("[zfs-sync] RPO_OVER vms -> nas:pool/vm");
        assertThat(GreenMailUtil.getBody(received[0])).contains("newest replicated snapshot is 7h 0m old");
        assertThat(received[0].getFrom()[0]).hasToString("zfs-sync@example.org");
    }

    @Test
    void aWrongPasswordIsAClearFailure() throws IOException {
        Path password = Files.writeString(dir.resolve("pw"), "wrong\n");
        assertThatThrownBy(() -> new MailNotifier(server(false, password), "zfs-sync@example.org",
                List.of("a@example.org")).send(ALERT)).isInstanceOf(NotificationFailedException.class)
                .hasMessageStartingWith("mail to a@example.org via 127.0.0.1:");
        assertThat(SMTP.getReceivedMessages()).isEmpty();
    }

    @Test
    void starttlsIsRequiredNotMerelyTried() {
        // This server offers no STARTTLS: with it required, nothing goes out in the clear.
        assertThatThrownBy(() -> new MailNotifier(server(true, null), "zfs-sync@example.org",
                List.of("a@example.org")).send(ALERT)).isInstanceOf(NotificationFailedException.class)
                .hasMessageContaining("STARTTLS");
        assertThat(SMTP.getReceivedMessages()).isEmpty();
        assertThat(new MailNotifier(server(true, null), "f@example.org", List.of("a@example.org")).properties())
                .containsEntry("mail.smtp.starttls.required", "true").containsEntry("mail.smtp.auth", "false");
    }

    @Test
    void aMissingPasswordFileIsAClearFailure() {
        assertThatThrownBy(() -> new MailNotifier(server(false, dir.resolve("absent")), "zfs-sync@example.org",
                List.of("a@example.org")).send(ALERT)).isInstanceOf(NotificationFailedException.class)
                .hasMessageContaining("cannot read the SMTP password from");
    }
}
