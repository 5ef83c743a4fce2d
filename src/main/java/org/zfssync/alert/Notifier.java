package org.zfssync.alert;

/** Sends an alert somewhere (a webhook, mail, a command). */
public interface Notifier {
    /**
     * Delivers the alert, retrying where that channel does.
     *
     * @throws NotificationFailedException when it could not be delivered; the caller logs it and goes on
     */
    void send(Alert alert) throws InterruptedException;
}
