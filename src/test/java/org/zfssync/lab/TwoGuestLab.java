package org.zfssync.lab;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a class whose tests need two lab guests joined by a private network ({@link TwoGuests}),
 * booted once per JUnit run on first use, apart from the shared single guest of {@link ZfsLab}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(TwoGuestExtension.class)
public @interface TwoGuestLab {
}
