package org.zfssync.lab;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each lab test a {@link LabFixture} with fresh source and target pools on the shared
 * guest, and destroys them afterwards. A guest that is gone (qemu stopped mid-suite) fails the
 * test at once.
 */
public final class LabExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LabExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == LabFixture.class || type == LabGuest.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        LabGuest guest = Lab.shared(context);
        if (parameter.getParameter().getType() == LabGuest.class) {
            return guest;
        }
        if (!guest.isRunning()) {
            throw new LabException("the lab guest is not running (qemu stopped); boot log: " + guest.bootLog());
        }
        LabFixture fixture = LabFixture.create(guest, context.getRequiredTestMethod().getName());
        context.getStore(NS).put("fixture", fixture);
        return fixture;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        LabFixture fixture = context.getStore(NS).remove("fixture", LabFixture.class);
        if (fixture != null) {
            fixture.close();
        }
    }
}
