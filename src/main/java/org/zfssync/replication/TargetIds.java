package org.zfssync.replication;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The default target id: the target's host, made safe for a snapshot name, plus a short hash of
 * the whole target so two targets on one host (two pools) still get different ids.
 */
public final class TargetIds {
    private TargetIds() {
    }

    public static String derive(Endpoint target) {
        String host = target.sshDestination().map(d -> d.substring(d.indexOf('@') + 1)).orElse("local");
        String safe = host.replaceAll("[^A-Za-z0-9.-]", "-");
        if (safe.length() > 32) {
            safe = safe.substring(0, 32);
        }
        if (!Character.isLetterOrDigit(safe.charAt(0))) {
            safe = "t" + safe;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(target.toString().getBytes(StandardCharsets.UTF_8));
            return safe + "-" + HexFormat.of().formatHex(digest, 0, 3);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
