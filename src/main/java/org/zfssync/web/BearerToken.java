package org.zfssync.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The API's shared secret, read from the config's {@code http.token-file} (its first line, without surrounding
 * blanks). Requests present it as {@code Authorization: Bearer TOKEN}.
 */
public final class BearerToken {
    private final byte[] digest;

    private BearerToken(String token) {
        this.digest = sha256(token);
    }

    /** Reads the token; an unreadable or empty file is one clear line. */
    public static BearerToken read(Path file) {
        return new BearerToken(secret(file));
    }

    /**
     * The token itself, for a client that sends it ({@code zfs-sync trigger --token-file}); an unreadable or empty
     * file is one clear line.
     */
    public static String secret(Path file) {
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("http.token-file " + file + " cannot be read: " + e.getMessage());
        }
        if (token.isEmpty()) {
            throw new IllegalArgumentException("http.token-file " + file + " is empty; put a long random token in it "
                    + "(e.g. openssl rand -hex 32 > " + file + ")");
        }
        return token;
    }

    /**
     * Whether an {@code Authorization} header carries this token. Both sides are compared as SHA-256 digests with
     * {@link MessageDigest#isEqual}, which takes the same time whatever matches, so neither the token's
     * characters nor its length leak through timing.
     */
    public boolean admits(String authorizationHeader) {
        if (authorizationHeader == null) {
            return false;
        }
        String header = authorizationHeader.strip();
        if (!header.toLowerCase(Locale.ROOT).startsWith("bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(header.substring("bearer ".length()).strip()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "BearerToken[redacted]";
    }
}
