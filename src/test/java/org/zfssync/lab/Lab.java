package org.zfssync.lab;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The one guest shared by every lab test class of a run: booted on first use, stopped when the
 * JUnit run ends (root store's CloseableResource). Under CI=true — and here, always — a lab that
 * cannot start fails the tests that need it; nothing is skipped.
 */
final class Lab implements ExtensionContext.Store.CloseableResource {
    private final LabGuest guest;

    private Lab(LabGuest guest) {
        this.guest = guest;
    }

    static LabGuest shared(ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.create(Lab.class));
        return store.getOrComputeIfAbsent("guest", k -> start(), Lab.class).guest;
    }

    private static Lab start() {
        String variant = System.getProperty("zfs.lab.variant", "2.3");
        long t0 = System.nanoTime();
        Path image = LabImage.ensure(variant);
        long t1 = System.nanoTime();
        LabGuest guest = LabGuest.boot(image);
        System.out.printf("[lab] OpenZFS %s guest up: image %d s, boot %d s, ssh on 127.0.0.1:%d%n",
                guest.zfsVersion(), (t1 - t0) / 1_000_000_000L, (System.nanoTime() - t1) / 1_000_000_000L,
                guest.port());
        return new Lab(guest);
    }

    @Override
    public void close() {
        guest.close();
    }
}
