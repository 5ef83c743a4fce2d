package org.zfssync.alert;

import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Properties;

/**
 * Mails each alert over SMTP (Jakarta Mail, Eclipse Angus): STARTTLS required unless turned off,
 * and with a username, a password read from a file at each send (so rotating it needs no reload,
 * and it is never in the config).
 */
public final class MailNotifier implements Notifier {
    /**
     * @param passwordFile its first line is the password; null with no username
     */
    public record Server(String host, int port, boolean starttls, String username, Path passwordFile,
                         Duration timeout) {
    }

    private final Server server;
    private final String from;
    private final List<String> to;

    public MailNotifier(Server server, String from, List<String> to) {
        this.server = server;
        this.from = from;
        this.to = List.copyOf(to);
    }

    @Override
    public void send(Alert alert) {
        try {
            Session session = Session.getInstance(properties(), authenticator());
            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress(from));
            for (String address : to) {
                message.addRecipient(Message.RecipientType.TO, new InternetAddress(address));
            }
            message.setSubject("[zfs-sync] " + alert.kind() + " " + alert.job()
                    + (alert.target() == null ? "" : " -> " + alert.target()), StandardCharsets.UTF_8.name());
            message.setSentDate(Date.from(alert.at()));
            message.setText(alert.summary() + "\n\nat " + alert.at() + "\n", StandardCharsets.UTF_8.name());
            Transport.send(message);
        } catch (MessagingException e) {
            throw new NotificationFailedException("mail to " + String.join(", ", to) + " via " + server.host() + ":"
                    + server.port() + " failed: " + e.getMessage(), e);
        }
    }

    /** The session's settings: STARTTLS required (not merely tried) when on, and every wait bounded. */
    Properties properties() {
        Properties p = new Properties();
        p.put("mail.smtp.host", server.host());
        p.put("mail.smtp.port", String.valueOf(server.port()));
        p.put("mail.smtp.starttls.enable", String.valueOf(server.starttls()));
        p.put("mail.smtp.starttls.required", String.valueOf(server.starttls()));
        p.put("mail.smtp.auth", String.valueOf(server.username() != null));
        String millis = String.valueOf(server.timeout().toMillis());
        p.put("mail.smtp.connectiontimeout", millis);
        p.put("mail.smtp.timeout", millis);
        p.put("mail.smtp.writetimeout", millis);
        return p;
    }

    private Authenticator authenticator() {
        if (server.username() == null) {
            return null;
        }
        String password = password(server.passwordFile());
        return new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication(server.username(), password);
            }
        };
    }

    private static String password(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("");
        } catch (IOException e) {
            throw new NotificationFailedException("cannot read the SMTP password from " + file + ": " + e.getMessage(), e);
        }
    }
}
