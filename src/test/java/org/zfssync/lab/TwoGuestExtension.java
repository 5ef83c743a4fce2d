package org.zfssync.lab;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test of a {@link TwoGuestLab} class a {@link TwoGuests.Fixture}: a fresh source pool
 * on the source guest and a fresh target pool on the target guest, destroyed afterwards. The two
 * guests are booted once per JUnit run (root store) and stopped when it ends.
 */
public final class TwoGuestExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TwoGuestExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TwoGuests.Fixture.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext.Store root = context.getRoot().getStore(NS);
        TwoGuests guests = root.getOrComputeIfAbsent("pair", k -> TwoGuests.boot(), TwoGuests.class);
        TwoGuests.Fixture fixture = guests.fixture(context.getRequiredTestMethod().getName());
        context.getStore(NS).put("fixture", fixture);
        return fixture;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TwoGuests.Fixture fixture = context.getStore(NS).remove("fixture", TwoGuests.Fixture.class);
        if (fixture != null) {
            fixture.close();
        }
    }
}
