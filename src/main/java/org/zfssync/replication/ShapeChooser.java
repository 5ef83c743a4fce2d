package org.zfssync.replication;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.zfssync.host.Helper;
import org.zfssync.host.HelperState;
import org.zfssync.host.MissingToolException;

/**
 * Chooses the stages around every stream of a run from the settings and what the hosts have.
 * Pure: the probe results come in, a shape and the warnings to log come out. A helper the user
 * asked for by name must work; one chosen automatically may be missing (a warning, and the
 * pipeline goes without it) but never broken: a broken helper stops the run with its stderr.
 */
public final class ShapeChooser {
    private ShapeChooser() {
    }

    /** The shape and what the user should hear about it. */
    public record Choice(StreamShape shape, List<String> warnings) {
        public Choice {
            warnings = List.copyOf(warnings);
        }
    }

    /** Helpers worth probing: none when no stream crosses a network. */
    public static Set<Helper> helpersToProbe(TransferSettings settings, boolean networkHop) {
        Set<Helper> helpers = EnumSet.noneOf(Helper.class);
        if (!networkHop) {
            return helpers;
        }
        helpers.addAll(settings.compression().candidates());
        if (settings.streamBufferBytes() > 0) {
            helpers.add(Helper.MBUFFER);
        }
        return helpers;
    }

    /** The stages around every stream of a run; the same on every transport (see {@link TransferSettings#streamBufferBytes}). */
    public static Choice choose(TransferSettings settings, HostReport source, HostReport target, boolean networkHop) {
        List<StreamStage> stages = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (!networkHop) {
            return new Choice(StreamShape.plain(), warnings);
        }
        compression(settings.compression(), source, target, warnings).ifPresent(stages::add);
        long buffer = settings.streamBufferBytes();
        if (buffer > 0) {
            boolean onSource = usable(Helper.MBUFFER, source, false, warnings);
            boolean onTarget = usable(Helper.MBUFFER, target, false, warnings);
            if (onSource || onTarget) {
                stages.add(new Buffering(buffer, onSource, onTarget));
            }
        }
        return new Choice(new StreamShape(stages), warnings);
    }

    private static java.util.Optional<StreamStage> compression(CompressionMode mode, HostReport source,
            HostReport target, List<String> warnings) {
        for (Helper h : mode.candidates()) {
            HelperState.Status s = source.status(h);
            HelperState.Status t = target.status(h);
            if (s == HelperState.Status.MISSING || t == HelperState.Status.MISSING) {
                if (mode.explicit()) {
                    HostReport lacking = s == HelperState.Status.MISSING ? source : target;
                    throw new MissingToolException(lacking.host(), h.program(), h.packages()
                            + " (--compress=" + h.program() + " needs it on both ends), or run with --compress=none");
                }
                continue;
            }
            usable(h, source, true, warnings);
            usable(h, target, true, warnings);
            return java.util.Optional.of(new Compression(h));
        }
        if (mode != CompressionMode.NONE) {
            warnings.add("no compressor (zstd, lz4) on both " + source.host() + " and " + target.host()
                    + ": streams cross the network uncompressed; install zstd on both to compress them");
        }
        return java.util.Optional.empty();
    }

    /** True if the helper works on the host; a missing one is a warning (or an error when required), a broken one an error. */
    private static boolean usable(Helper h, HostReport host, boolean required, List<String> warnings) {
        HelperState state = host.helper(h).orElse(new HelperState(h, HelperState.Status.MISSING, "not probed"));
        switch (state.status()) {
            case OK:
                return true;
            case BROKEN:
                throw MissingToolException.broken(host.host(), state);
            default:
                if (required) {
                    throw new MissingToolException(host.host(), h.program(), h.packages());
                }
                warnings.add("`" + h.program() + "` is not installed on " + host.host() + ": transferring without it"
                        + " (install " + h.packages() + ", or pass " + h.bypass() + " to silence this)");
                return false;
        }
    }
}
