package org.zfssync.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.zfssync.host.Command;
import org.zfssync.host.Pipeline;
import org.zfssync.zfs.SendFlags;

/**
 * The stages a run wraps around every stream, in order from {@code zfs send} outwards:
 * {@code send | s1 | s2 ... | (relay) | ... s2' | s1' | receive}. Each stage adds its part to the
 * sending side and its counterpart, in reverse order, to the receiving side.
 */
public record StreamShape(List<StreamStage> stages) {
    public StreamShape {
        stages = List.copyOf(stages);
    }

    public static StreamShape plain() {
        return new StreamShape(List.of());
    }

    /** The compressor among the stages, if any. */
    public Optional<Compression> compression() {
        return stages.stream().filter(Compression.class::isInstance).map(Compression.class::cast).findFirst();
    }

    /** This shape with {@code compression} (or none) in place of its compressor, first from {@code zfs send} outwards. */
    public StreamShape withCompression(Optional<Compression> compression) {
        List<StreamStage> next = new ArrayList<>();
        compression.ifPresent(next::add);
        stages.stream().filter(s -> !(s instanceof Compression)).forEach(next::add);
        return new StreamShape(next);
    }

    public TransferPipeline around(Command send, Command receive, SendFlags flags) {
        Pipeline sender = Pipeline.of(send);
        Pipeline receiver = Pipeline.of(receive);
        for (StreamStage stage : stages) {
            if (!stage.appliesTo(flags)) {
                continue;
            }
            if (stage.sending().isPresent()) {
                sender = sender.then(stage.sending().get());
            }
            if (stage.receiving().isPresent()) {
                receiver = receiver.after(stage.receiving().get());
            }
        }
        return new TransferPipeline(sender, receiver);
    }
}
