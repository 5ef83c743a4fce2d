package org.zfssync.replication;

import java.util.Optional;
import org.zfssync.zfs.Bookmark;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.ResumeToken;
import org.zfssync.zfs.SendFlags;
import org.zfssync.zfs.Snapshot;

/**
 * The one decision whether a target's resume token may be resumed, used by the planner (a token
 * left by an earlier run) and by the retry loop (a token left by this run's own cut stream): the
 * same rules in both places, so a retry can never resume what planning would have discarded.
 * A token fits when its snapshot and incremental source still exist on the source (by GUID) and it
 * carries the stream flags this run sends: above all raw, because resuming a non-raw token of an
 * encrypted dataset would send its blocks in plaintext.
 */
public final class TokenCheck {
    private TokenCheck() {
    }

    /**
     * Why the token no longer fits, or empty when it may be resumed.
     *
     * @param source the source dataset as it is now
     * @param flags  the flags this run sends the dataset with (raw already forced for encrypted data)
     */
    public static Optional<String> staleness(ResumeToken token, DatasetState source, SendFlags flags) {
        boolean toExists = false;
        boolean fromExists = token.fromGuid() == 0;
        for (Snapshot snap : source.snapshots()) {
            toExists |= snap.guid() == token.toGuid();
            fromExists |= snap.guid() == token.fromGuid();
        }
        for (Bookmark b : source.bookmarks()) {
            fromExists |= b.guid() == token.fromGuid();
        }
        boolean raw = flags.raw() || source.dataset().encrypted();
        if (!toExists) {
            return Optional.of("its snapshot " + token.toName() + " no longer exists on the source");
        }
        if (!fromExists) {
            return Optional.of("its incremental source no longer exists on the source");
        }
        if (token.raw() != raw) {
            return Optional.of("it was " + (token.raw() ? "a raw" : "a non-raw") + " send and this run sends "
                    + (raw ? "raw" : "non-raw") + (raw && source.dataset().encrypted()
                    ? " (the dataset is encrypted: resuming it non-raw would send its data in plaintext)" : ""));
        }
        // A raw stream carries blocks as stored, whatever -L says; only a non-raw one is reshaped by it.
        if (!raw && token.largeBlock() != flags.largeBlock()) {
            return Optional.of("it was sent " + (token.largeBlock() ? "with" : "without") + " large blocks (-L) and "
                    + "this run sends " + (flags.largeBlock() ? "with" : "without"));
        }
        return Optional.empty();
    }
}
