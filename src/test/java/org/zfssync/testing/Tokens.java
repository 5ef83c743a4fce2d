package org.zfssync.testing;

/** Real resume tokens captured in the lab, for tests of pure logic. */
public final class Tokens {
    /**
     * OpenZFS 2.3.2, {@code zfs send tok/a@s1 | head -c 1000000 | zfs receive -s tok/b}: a full,
     * non-raw send of tok/a@s1 (guid 3733534622378937118 = 0x33d02df53b84cb1e), 0xe1288 bytes in.
     */
    public static final String FULL_S1 = "1-93962218d-b8-789c636064000310a500c4ec50360710e72765a52697303030419460caa7a51"
            + "5a796806478e0f26c48f2499525a9c540ba43880fabfe92fcf4d2cc140606b9d32dd65f752f186b20c97382e5f31273534174b67ea"
            + "243b12103120000cc381475";

    private Tokens() {
    }
}
