package org.zfssync.replication;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The choice {@code --compress auto} makes from what it measured: pure, the figures in, the
 * compressor (or none) and the one line that says why out. A stream runs as fast as its slowest
 * stage, so each option's throughput, in bytes of the dataset per second, is
 * {@code min(send, pack on source, link × ratio, unpack on target)} (none: {@code min(send, link)});
 * the fastest wins. Options within {@link #MARGIN} of the fastest count as a tie, and a tie goes to
 * the cheaper one (none, then lz4, then zstd by level): measurements of a few MiB are noisy, and a
 * compressor that gains nothing measurable still costs CPU on both ends.
 */
public final class CompressionModel {
    /** How much faster an option must model than a cheaper one to be worth its CPU. */
    public static final double MARGIN = 1.10;
    private static final double MIB = 1024 * 1024;

    private CompressionModel() {
    }

    /** What limits an option. */
    public enum Bound {
        SEND("send-bound"), LINK("link-bound"), PACK("CPU-bound on src"), UNPACK("CPU-bound on dst");

        private final String text;

        Bound(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** One option as the model sees it; {@code codec} empty for none. */
    public record Option(Optional<CompressionSample.Codec> codec, double throughput, Bound bound) {
        public Optional<Compression> compression() {
            return codec.map(CompressionSample.Codec::compression);
        }

        public String label() {
            return compression().map(Compression::label).orElse("none");
        }
    }

    /**
     * @param compression what to wrap around the stream, empty for none
     * @param options     every option considered, cheapest first, with its modelled throughput
     * @param line        the choice, why, and the figures, in one line for the log and the plan
     */
    public record Decision(Optional<Compression> compression, List<Option> options, String line) {
        public Decision {
            options = List.copyOf(options);
        }
    }

    /**
     * @param limit the run's rate cap ({@code --bwlimit}) in bytes per second on the wire, 0 for none:
     *              it caps the link as the model sees it
     */
    public static Decision decide(CompressionSample sample, long limit) {
        double link = limit > 0 ? Math.min(sample.linkRate(), limit) : sample.linkRate();
        List<Option> options = options(sample, link);
        double best = options.stream().mapToDouble(Option::throughput).max().orElseThrow();
        Option chosen = options.stream().filter(o -> o.throughput() * MARGIN >= best).findFirst().orElseThrow();
        return new Decision(chosen.compression(), options, line(chosen, options, sample, limit));
    }

    /** Every option, cheapest first: none, lz4, then zstd by level. */
    static List<Option> options(CompressionSample sample, double link) {
        List<Option> options = new ArrayList<>();
        options.add(link < sample.sendRate() ? new Option(Optional.empty(), link, Bound.LINK)
                : new Option(Optional.empty(), sample.sendRate(), Bound.SEND));
        sample.codecs().stream().sorted(Comparator.comparingInt(CompressionModel::cost)).forEach(c -> {
            // The slowest stage bounds the option; on a tie the link, then the source's CPU, is named.
            double throughput = sample.sendRate();
            Bound bound = Bound.SEND;
            if (c.unpackRate() <= throughput) {
                throughput = c.unpackRate();
                bound = Bound.UNPACK;
            }
            if (c.packRate() <= throughput) {
                throughput = c.packRate();
                bound = Bound.PACK;
            }
            if (link * c.ratio() <= throughput) {
                throughput = link * c.ratio();
                bound = Bound.LINK;
            }
            options.add(new Option(Optional.of(c), throughput, bound));
        });
        return options;
    }

    /** lz4 is cheaper than any zstd; a higher zstd level costs more. */
    static int cost(CompressionSample.Codec c) {
        return c.compression().tool() == org.zfssync.host.Helper.LZ4 ? 0 : c.compression().level();
    }

    private static String line(Option chosen, List<Option> options, CompressionSample sample, long limit) {
        StringBuilder s = new StringBuilder("compress auto: ").append(chosen.label()).append(" (link ")
                .append(rate(sample.linkRate()));
        if (limit > 0 && limit < sample.linkRate()) {
            s.append(", --bwlimit ").append(rate(limit));
        }
        s.append(", send ").append(rate(sample.sendRate()));
        for (Option o : options) {
            s.append("; ").append(o.label());
            o.codec().ifPresent(c -> s.append(" ratio ").append(String.format(Locale.ROOT, "%.2f", c.ratio()))
                    .append(" at ").append(rate(c.packRate())).append(" on src, unpacks at ")
                    .append(rate(c.unpackRate())).append(" on dst"));
            s.append(": ").append(rate(o.throughput())).append(' ').append(o.bound().text());
        }
        return s.append(')').toString();
    }

    /** MiB/s, with a decimal below 10 where it matters. */
    static String rate(double bytesPerSecond) {
        double mib = bytesPerSecond / MIB;
        return String.format(Locale.ROOT, mib < 10 ? "%.1f MiB/s" : "%.0f MiB/s", mib);
    }
}
