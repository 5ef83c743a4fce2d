package org.zfssync.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Host;
import org.zfssync.zfs.DatasetName;

/**
 * The content check of one dataset: the newest common snapshot read on both hosts at once, each
 * hashed there by standard tools (find, sha256sum), the results compared here.
 *
 * <p>A file system's snapshot is read through {@code MOUNTPOINT/.zfs/snapshot/NAME} when the
 * dataset is mounted; a target received with {@code -u}, or with {@code canmount=off} or
 * {@code mountpoint=none}, is not, so its snapshot is mounted read-only for the check
 * ({@code mount -t zfs -o ro DS@SNAP TMPDIR}) and unmounted after: a snapshot cannot be written,
 * and no property, dataset or snapshot is created or changed. A volume's snapshot is read from
 * {@code /dev/zvol/DS@SNAP}, which exists only with {@code snapdev=visible}: when it is hidden,
 * the check sets it to visible for the read and restores the previous setting (local value,
 * inherited, or received) whatever happens, logged before it runs. A broken pipe (zfs-sync killed or
 * timed out: over ssh the remote shell gets no hangup, only EPIPE on its next write) is trapped too,
 * or the shell would die of it without running its cleanup. That is the one property
 * verify ever changes, and only for the time of the read.
 *
 * <p>A target changed since its newest snapshot (data written on a writable target) is also read
 * live, so the check names what changed: a file system through a read-only, noatime bind mount
 * of its mountpoint (reading it never updates access times), a volume from its device.
 */
public final class DeepCheck implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeepCheck.class);
    /** $0 of the scripts below, as ps shows them. */
    private static final String NAME = "zfs-sync-verify";
    /**
     * {@code $1}: {@code dir} (read {@code $2} as it is), {@code snap} (mount snapshot {@code $2}
     * read-only at a temporary directory) or {@code bind} (bind-mount directory {@code $2} read-only,
     * noatime). Prints {@link ContentListing}'s sections. The temporary mount is undone on every exit.
     */
    static final String TREE_SCRIPT = "t=; cleanup() { cd /; if [ -n \"$t\" ]; then umount \"$t\" 2>/dev/null; "
            + "rmdir \"$t\"; fi; }; trap cleanup EXIT; trap 'exit 129' HUP INT TERM PIPE; "
            + "case $1 in dir) d=$2 ;; "
            + "snap) t=$(mktemp -d) || exit 1; mount -t zfs -o ro \"$2\" \"$t\" || exit 1; d=$t ;; "
            + "bind) t=$(mktemp -d) || exit 1; mount --bind \"$2\" \"$t\" && mount -o remount,bind,ro,noatime \"$t\" "
            + "|| exit 1; d=$t ;; *) exit 2 ;; esac; "
            + "cd \"$d\" || exit 1; export LC_ALL=C; "
            + "find . -xdev -path ./.zfs -prune -o -printf '%y %m %U %G %s %P\\0' || exit 1; printf '#L\\0'; "
            + "find . -xdev -path ./.zfs -prune -o -type l -printf '%P\\0%l\\0' || exit 1; printf '#H\\0'; "
            + "find . -xdev -path ./.zfs -prune -o -type f -print0 | xargs -0r sha256sum -z -- || exit 1; "
            + "printf '#E\\0'";
    /**
     * {@code $1} the device, {@code $2} the volume, {@code $3} how to restore its snapdev after
     * ({@code none}: it was visible; {@code local VALUE}, {@code received}, or {@code inherit}).
     * Prints the device's SHA-256.
     */
    static final String DEVICE_SCRIPT = "dev=$1 vol=$2 how=$3 value=$4; "
            + "restore() { case $how in local) zfs set snapdev=\"$value\" \"$vol\" ;; "
            + "received) zfs inherit -S snapdev \"$vol\" ;; *) zfs inherit snapdev \"$vol\" ;; esac; }; "
            + "if [ \"$how\" != none ]; then zfs set snapdev=visible \"$vol\" || exit 1; trap restore EXIT; "
            + "trap 'exit 129' HUP INT TERM PIPE; fi; i=0; "
            + "while [ ! -e \"$dev\" ] && [ $i -lt 120 ]; do udevadm settle -t 5 2>/dev/null; sleep 0.5; i=$((i+1)); "
            + "done; [ -e \"$dev\" ] || { echo \"no device $dev\" >&2; exit 1; }; "
            + "h=$(sha256sum < \"$dev\") || exit 1; echo \"${h%% *}\"";

    private final Host sourceHost;
    private final Host targetHost;
    private final ExecutorService both = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, NAME);
        t.setDaemon(true);
        return t;
    });

    public DeepCheck(Host sourceHost, Host targetHost) {
        this.sourceHost = sourceHost;
        this.targetHost = targetHost;
    }

    /** The content check of one dataset whose listing comparison is {@code v}. */
    public DeepResult check(Verdict v, SideInfo sourceInfo, SideInfo targetInfo, long targetWritten) {
        CommonSnapshot c = v.newestCommon();
        String what = (v.type().equals("volume") ? "device of @" : "files of @") + (c == null ? "?" : c.sourceName());
        if (c == null) {
            return DeepResult.unchecked(what, "no common snapshot to compare");
        }
        if (sourceInfo.keyUnavailable(v.source()) || targetInfo.keyUnavailable(v.target())) {
            return DeepResult.unchecked(what, "encrypted and its key is not loaded on the "
                    + (sourceInfo.keyUnavailable(v.source()) ? "source" : "target")
                    + ": checked by GUID only (the same GUID is the same data, as ZFS received it)");
        }
        DatasetName src = DatasetName.of(v.source());
        DatasetName dst = DatasetName.of(v.target());
        boolean volume = v.type().equals("volume");
        Command sourceRead = volume ? deviceCommand(src, c.sourceName(), sourceInfo, sourceHost)
                : treeCommand(src, c.sourceName(), sourceInfo);
        Command targetRead = volume ? deviceCommand(dst, c.targetName(), targetInfo, targetHost)
                : treeCommand(dst, c.targetName(), targetInfo);
        // Started once: a changed target is compared with the same reading of the source.
        CompletableFuture<CommandResult> sourceResult = CompletableFuture.supplyAsync(() -> sourceHost.run(sourceRead),
                both);
        DeepResult snapshots = compare(what, volume, v.source(), sourceResult, targetRead);
        if (targetWritten <= 0 || snapshots.problem() != null) {
            return snapshots;
        }
        // The target was written to since its newest snapshot: name what changed, reading it live.
        String liveWhat = (volume ? "device" : "files") + " of the target now against @" + c.sourceName();
        Command live;
        if (volume) {
            live = Command.reading("sh", "-c", DEVICE_SCRIPT, NAME, "/dev/zvol/" + dst.value(), dst.value(), "none", "-");
        } else {
            String mp = targetInfo.mountedAt(dst.value());
            if (mp == null) {
                return merge(snapshots, DeepResult.unchecked(liveWhat, "the target is not mounted, so what changed "
                        + "on it since @" + c.targetName() + " cannot be read"));
            }
            live = Command.reading("sh", "-c", TREE_SCRIPT, NAME, "bind", mp);
        }
        DeepResult now = compare(liveWhat, volume, v.source(), sourceResult, live);
        return merge(snapshots, now);
    }

    private static DeepResult merge(DeepResult snapshots, DeepResult live) {
        List<String> diffs = new ArrayList<>(snapshots.differences());
        live.differences().forEach(d -> diffs.add("target now: " + d));
        Boolean equal = Boolean.FALSE.equals(snapshots.equal()) || Boolean.FALSE.equals(live.equal()) ? Boolean.FALSE
                : snapshots.equal() == null || live.equal() == null ? null : Boolean.TRUE;
        String problem = snapshots.problem() != null ? snapshots.problem() : live.problem();
        String first = snapshots.checked() + (Boolean.TRUE.equals(snapshots.equal())
                ? " (equal on both sides, sha256 " + snapshots.sourceDigest().substring(0, 16) + "…)" : "");
        return new DeepResult(first + "; " + live.checked(), equal, snapshots.sourceDigest(),
                snapshots.targetDigest(), diffs, problem);
    }

    private DeepResult compare(String what, boolean volume, String volumeName, CompletableFuture<CommandResult> s,
                               Command targetRead) {
        CompletableFuture<CommandResult> t = CompletableFuture.supplyAsync(() -> targetHost.run(targetRead), both);
        CommandResult sr;
        CommandResult tr;
        try {
            sr = s.get();
            tr = t.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DeepResult.unchecked(what, "interrupted");
        } catch (ExecutionException e) {
            return DeepResult.unchecked(what, String.valueOf(e.getCause().getMessage()));
        }
        if (!sr.ok() || !tr.ok()) {
            CommandResult bad = sr.ok() ? tr : sr;
            return DeepResult.unchecked(what, "reading it on " + bad.host() + " failed: " + bad.errorLine());
        }
        if (volume) {
            String a = sr.stdout().strip();
            String b = tr.stdout().strip();
            boolean equal = a.equals(b);
            return new DeepResult(what, equal, a, b, equal ? List.of()
                    : List.of("volume " + volumeName + ": device content differs (sha256 " + a + " vs " + b + ")"), null);
        }
        try {
            SortedMap<String, ContentListing.Entry> a = ContentListing.parse(sr.stdout());
            SortedMap<String, ContentListing.Entry> b = ContentListing.parse(tr.stdout());
            List<String> diffs = ContentListing.differences(a, b);
            return new DeepResult(what, diffs.isEmpty(), ContentListing.digest(a), ContentListing.digest(b), diffs,
                    null);
        } catch (IllegalArgumentException e) {
            return DeepResult.unchecked(what, e.getMessage());
        }
    }

    private static Command treeCommand(DatasetName dataset, String snapshot, SideInfo info) {
        String mp = info.mountedAt(dataset.value());
        return mp != null ? Command.reading("sh", "-c", TREE_SCRIPT, NAME, "dir", mp + "/.zfs/snapshot/" + snapshot)
                : Command.reading("sh", "-c", TREE_SCRIPT, NAME, "snap", dataset.snapshot(snapshot));
    }

    private static Command deviceCommand(DatasetName volume, String snapshot, SideInfo info, Host host) {
        SideInfo.Value snapdev = info.get(volume.value(), "snapdev");
        String how;
        if (snapdev.value().equals("visible")) {
            how = "none";
        } else {
            how = snapdev.source().equals("local") ? "local" : snapdev.source().equals("received") ? "received"
                    : "inherit";
            LOG.warn("{}: setting snapdev=visible on {} for the time of the read (its /dev/zvol device of @{}), then "
                    + "restoring it ({} {})", host.name(), volume, snapshot, how, snapdev.value());
        }
        List<String> argv = List.of("sh", "-c", DEVICE_SCRIPT, NAME, "/dev/zvol/" + volume.snapshot(snapshot),
                volume.value(), how, snapdev.value());
        return how.equals("none") ? Command.reading(argv) : Command.changing(argv);
    }

    @Override
    public void close() {
        both.shutdownNow();
    }
}
