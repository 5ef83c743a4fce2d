package org.zfssync.zfs;

import java.util.Optional;

/**
 * A filesystem or volume as one listing saw it.
 *
 * @param written      bytes written since its newest snapshot (all of it when there is none)
 * @param encrypted    whether {@code encryption} is on: such datasets are sent raw
 * @param resumeToken  {@code receive_resume_token} left by an interrupted {@code zfs receive -s}
 */
public record Dataset(DatasetName name, DatasetType type, long guid, long createtxg, long written,
                      boolean encrypted, Optional<String> resumeToken) {
}
