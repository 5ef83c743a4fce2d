package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class CompressionModelTest {
    private static final double MIB = 1024 * 1024;

    private static CompressionSample.Codec codec(Compression c, double ratio, double packMib, double unpackMib) {
        return new CompressionSample.Codec(c, ratio, packMib * MIB, unpackMib * MIB);
    }

    private static CompressionSample sample(double sendMib, double linkMib, CompressionSample.Codec... codecs) {
        return new CompressionSample(sendMib * MIB, linkMib * MIB, List.of(codecs));
    }

    private static double throughput(CompressionModel.Decision d) {
        return d.options().stream().filter(o -> o.compression().equals(d.compression())).findFirst().orElseThrow()
                .throughput();
    }

    private static double none(CompressionModel.Decision d) {
        return d.options().get(0).throughput();
    }

    @Test
    void aSlowLinkAndFastCpusTakeTheBestRatioThatKeepsUp() {
        CompressionModel.Decision d = CompressionModel.decide(sample(200, 4.1,
                codec(Compression.lz4(), 1.9, 180, 900),
                codec(Compression.zstd(1), 2.4, 90, 500),
                codec(Compression.zstd(3), 3.0, 60, 500)), 0);
        assertThat(d.compression()).contains(Compression.zstd(3));
        assertThat(d.line()).isEqualTo("compress auto: zstd-3 (link 4.1 MiB/s, send 200 MiB/s; none: 4.1 MiB/s "
                + "link-bound; lz4 ratio 1.90 at 180 MiB/s on src, unpacks at 900 MiB/s on dst: 7.8 MiB/s link-bound; "
                + "zstd-1 ratio 2.40 at 90 MiB/s on src, unpacks at 500 MiB/s on dst: 9.8 MiB/s link-bound; "
                + "zstd-3 ratio 3.00 at 60 MiB/s on src, unpacks at 500 MiB/s on dst: 12 MiB/s link-bound)");
    }

    @Test
    void zstdTooSlowForTheLinkLeavesLz4() {
        CompressionModel.Decision d = CompressionModel.decide(sample(300, 100,
                codec(Compression.lz4(), 1.9, 400, 900),
                codec(Compression.zstd(1), 2.4, 90, 500),
                codec(Compression.zstd(3), 2.6, 40, 500)), 0);
        assertThat(d.compression()).contains(Compression.lz4());
        assertThat(d.line()).startsWith("compress auto: lz4 (").contains("zstd-3 ratio 2.60 at 40 MiB/s on src, "
                + "unpacks at 500 MiB/s on dst: 40 MiB/s CPU-bound on src", "none: 100 MiB/s link-bound");
    }

    @Test
    void aFastLinkOrIncompressibleDataGoesWithout() {
        assertThat(CompressionModel.decide(sample(300, 110, codec(Compression.lz4(), 1.9, 90, 900)), 0).compression())
                .as("CPU-bound").isEmpty();
        assertThat(CompressionModel.decide(sample(300, 10, codec(Compression.lz4(), 1.0, 900, 900),
                codec(Compression.zstd(3), 1.05, 90, 900)), 0).compression()).as("nothing to gain").isEmpty();
        assertThat(CompressionModel.decide(sample(8, 10, codec(Compression.lz4(), 3, 900, 900)), 0).compression())
                .as("zfs send is the slowest stage").isEmpty();
    }

    @Test
    void aSlowTargetCountsAsMuchAsASlowSource() {
        CompressionModel.Decision d = CompressionModel.decide(sample(300, 10,
                codec(Compression.zstd(3), 3, 200, 9)), 0);
        assertThat(d.compression()).isEmpty();
        assertThat(d.options().get(1).bound()).isEqualTo(CompressionModel.Bound.UNPACK);
    }

    @Test
    void theRateCapIsTheLinkTheModelSees() {
        CompressionSample s = sample(300, 110, codec(Compression.lz4(), 2, 100, 900));
        assertThat(CompressionModel.decide(s, 0).compression()).isEmpty();
        CompressionModel.Decision capped = CompressionModel.decide(s, (long) (10 * MIB));
        assertThat(capped.compression()).contains(Compression.lz4());
        assertThat(capped.line()).contains("link 110 MiB/s, --bwlimit 10 MiB/s");
    }

    @Test
    void withoutCompressorsOnlyNoneRemains() {
        CompressionModel.Decision d = CompressionModel.decide(sample(100, 10), 0);
        assertThat(d.compression()).isEmpty();
        assertThat(d.options()).hasSize(1);
    }

    @Test
    void figuresMustBePositive() {
        assertThatThrownBy(() -> sample(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sample(10, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec(Compression.lz4(), 1, Double.POSITIVE_INFINITY, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void neverSlowerThanNoneAndWithinTheMarginOfTheBest(@ForAll("samples") CompressionSample s,
                                                         @ForAll("limits") long limit) {
        CompressionModel.Decision d = CompressionModel.decide(s, limit);
        double best = d.options().stream().mapToDouble(CompressionModel.Option::throughput).max().orElseThrow();
        assertThat(throughput(d)).isGreaterThanOrEqualTo(none(d));
        assertThat(throughput(d) * CompressionModel.MARGIN).isGreaterThanOrEqualTo(best);
        if (d.compression().isPresent()) {
            assertThat(none(d) * CompressionModel.MARGIN).as("a compressor must pay for its CPU").isLessThan(best);
        }
    }

    /** A tie goes to the cheaper: nothing cheaper than the choice models within the margin of the best. */
    @Property
    void aTieGoesToTheCheaper(@ForAll("samples") CompressionSample s) {
        CompressionModel.Decision d = CompressionModel.decide(s, 0);
        double best = d.options().stream().mapToDouble(CompressionModel.Option::throughput).max().orElseThrow();
        for (CompressionModel.Option o : d.options()) {
            if (o.compression().equals(d.compression())) {
                break;
            }
            assertThat(o.throughput() * CompressionModel.MARGIN).isLessThan(best);
        }
    }

    /** Each option's throughput is the model's: the slowest of its stages, and never above the send. */
    @Property
    void throughputIsTheSlowestStage(@ForAll("samples") CompressionSample s) {
        CompressionModel.Decision d = CompressionModel.decide(s, 0);
        assertThat(none(d)).isEqualTo(Math.min(s.sendRate(), s.linkRate()));
        for (CompressionModel.Option o : d.options().subList(1, d.options().size())) {
            CompressionSample.Codec c = o.codec().orElseThrow();
            assertThat(o.throughput()).isEqualTo(Math.min(Math.min(s.sendRate(), c.packRate()),
                    Math.min(s.linkRate() * c.ratio(), c.unpackRate())));
        }
    }

    /** Not link-bound (the link is at least as fast as zfs send): no compressor can help. */
    @Property
    void cpuBoundMeansNone(@ForAll("samples") CompressionSample s) {
        CompressionSample fastLink = new CompressionSample(s.sendRate(), s.sendRate() * 1.5, s.codecs());
        assertThat(CompressionModel.decide(fastLink, 0).compression()).isEmpty();
    }

    /**
     * Link-bound, and every compressor keeps up (packs, unpacks and sends faster than the link
     * carries its output): the best ratio wins, unless a cheaper one is within the margin of it.
     */
    @Property
    void linkBoundTakesTheBestRatioThatKeepsUp(@ForAll("samples") CompressionSample s) {
        double link = s.codecs().stream().mapToDouble(c -> Math.min(Math.min(s.sendRate(), c.packRate()),
                c.unpackRate()) / Math.max(c.ratio(), 1)).min().orElse(s.sendRate()) / 2;
        CompressionSample slow = new CompressionSample(s.sendRate(), link, s.codecs());
        Optional<Compression> chosen = CompressionModel.decide(slow, 0).compression();
        double bestRatio = Math.max(1, s.codecs().stream().mapToDouble(CompressionSample.Codec::ratio).max()
                .orElse(1));
        List<CompressionSample.Codec> byCost = new ArrayList<>(s.codecs());
        byCost.sort(Comparator.comparingInt(CompressionModel::cost));
        Optional<Compression> expected = bestRatio <= CompressionModel.MARGIN ? Optional.empty()
                : byCost.stream().filter(c -> c.ratio() * CompressionModel.MARGIN >= bestRatio).findFirst()
                .map(CompressionSample.Codec::compression);
        assertThat(chosen).isEqualTo(expected);
    }

    /** More link never turns a choice of none into a compressor. */
    @Property
    void aFasterLinkNeverAddsCompression(@ForAll("samples") CompressionSample s, @ForAll("factors") double factor) {
        if (CompressionModel.decide(s, 0).compression().isEmpty()) {
            CompressionSample faster = new CompressionSample(s.sendRate(), s.linkRate() * factor, s.codecs());
            assertThat(CompressionModel.decide(faster, 0).compression()).isEmpty();
        }
    }

    @Provide
    Arbitrary<Double> factors() {
        return Arbitraries.doubles().between(1, 100);
    }

    @Provide
    Arbitrary<Long> limits() {
        return Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(1, 2_000_000_000L));
    }

    @Provide
    Arbitrary<CompressionSample> samples() {
        Arbitrary<Double> rates = Arbitraries.doubles().between(0.1 * MIB, 4000 * MIB);
        Arbitrary<Double> ratios = Arbitraries.oneOf(Arbitraries.doubles().between(0.9, 8),
                Arbitraries.of(1.0, 2.0));
        Arbitrary<CompressionSample.Codec> lz4 = Combinators.combine(ratios, rates, rates)
                .as((r, p, u) -> new CompressionSample.Codec(Compression.lz4(), r, p, u));
        Arbitrary<CompressionSample.Codec> zstd1 = Combinators.combine(ratios, rates, rates)
                .as((r, p, u) -> new CompressionSample.Codec(Compression.zstd(1), r, p, u));
        Arbitrary<CompressionSample.Codec> zstd3 = Combinators.combine(ratios, rates, rates)
                .as((r, p, u) -> new CompressionSample.Codec(Compression.zstd(3), r, p, u));
        Arbitrary<List<CompressionSample.Codec>> codecs = Combinators.combine(lz4.optional(), zstd1.optional(),
                zstd3.optional(), Arbitraries.of(true, false)).as((a, b, c, shuffle) -> {
                    List<CompressionSample.Codec> list = new ArrayList<>();
                    a.ifPresent(list::add);
                    b.ifPresent(list::add);
                    c.ifPresent(list::add);
                    if (shuffle) {
                        java.util.Collections.reverse(list);
                    }
                    return list;
                });
        return Combinators.combine(rates, rates, codecs).as(CompressionSample::new);
    }
}
