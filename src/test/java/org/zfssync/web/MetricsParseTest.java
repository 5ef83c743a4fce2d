package org.zfssync.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Scrapes {@code /metrics} from a real server and parses it with Prometheus's own Python parser
 * (Debian's python3-prometheus-client): what a Prometheus server reads is what the README documents.
 */
class MetricsParseTest {
    /** Prints each family as JSON: its name (the parser drops a counter's _total), type, and samples. */
    private static final String PARSE = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = []
            for f in text_string_to_metric_families(sys.stdin.read()):
                out.append({"name": f.name, "type": f.type, "samples": [
                    {"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]})
            print(json.dumps(out))
            """;

    @Test
    void everyDocumentedSeriesParsesWithItsTypeAndLabels() throws Exception {
        Path python = ExternalTool.require("/usr/bin/python3", "python3");
        ExternalTool.requirePythonModule(python, "prometheus_client.parser", "python3-prometheus-client");
        FakeService service = new FakeService();
        ServiceMetrics metrics = new ServiceMetrics(service);
        metrics.runFinished("home", "backup:tank/home", "success", Duration.ofSeconds(42));
        metrics.datasetFinished("home", "backup:tank/home", "replicated", Duration.ofSeconds(40));
        metrics.bytesSent("home", "backup:tank/home", 52_428_800);
        metrics.runSkipped("vms");
        String text;
        try (StatusServer server = StatusServer.start(HttpSettings.of("127.0.0.1:0", null), service, service, metrics)) {
            HttpResponse<String> scrape = new HttpTestClient(server.uri()).get("/metrics");
            assertThat(scrape.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
            text = scrape.body();
        }

        ExternalTool.Result parsed = ExternalTool.run(List.of(python.toString(), "-c", PARSE), text, 120);
        assertThat(parsed.exit()).as("the parser's stderr: %s", parsed.err()).isZero();
        Map<String, JsonNode> families = new HashMap<>();
        for (JsonNode family : new ObjectMapper().readTree(parsed.out())) {
            families.put(family.get("name").asText(), family);
        }

        assertFamily(families, "zfs_sync_runs", "counter", Set.of("job", "target", "result"));
        assertFamily(families, "zfs_sync_datasets", "counter", Set.of("job", "target", "status"));
        assertFamily(families, "zfs_sync_bytes_sent", "counter", Set.of("job", "target"));
        assertFamily(families, "zfs_sync_skipped_runs", "counter", Set.of("job"));
        assertFamily(families, "zfs_sync_run_duration_seconds", "histogram", Set.of("job", "target", "le"));
        assertFamily(families, "zfs_sync_dataset_duration_seconds", "histogram", Set.of("job", "target", "le"));
        assertFamily(families, "zfs_sync_last_success_timestamp_seconds", "gauge", Set.of("job", "target"));
        assertFamily(families, "zfs_sync_rpo_seconds", "gauge", Set.of("job", "target"));
        assertFamily(families, "zfs_sync_running_transfers", "gauge", Set.of());

        assertThat(value(families, "zfs_sync_bytes_sent_total", Map.of("job", "home", "target", "backup:tank/home")))
                .contains(52_428_800.0);
        assertThat(value(families, "zfs_sync_rpo_seconds", Map.of("job", "vms", "target", "backup:tank/vms")))
                .contains(108_000.0);
        assertThat(value(families, "zfs_sync_run_duration_seconds_count", Map.of("job", "home", "target", "backup:tank/home")))
                .contains(1.0);
        assertThat(value(families, "zfs_sync_running_transfers", Map.of())).contains(1.0);
    }

    private static void assertFamily(Map<String, JsonNode> families, String name, String type, Set<String> labels) {
        assertThat(families).as("families parsed from /metrics").containsKey(name);
        JsonNode family = families.get(name);
        assertThat(family.get("type").asText()).as(name + " type").isEqualTo(type);
        assertThat(family.get("samples")).as(name + " samples").isNotEmpty();
        for (JsonNode sample : family.get("samples")) {
            Set<String> names = new HashSet<>();
            sample.get("labels").fieldNames().forEachRemaining(names::add);
            // Histogram _sum and _count have no le; every other sample has exactly the documented labels.
            Set<String> expected = new HashSet<>(labels);
            if (!sample.get("name").asText().endsWith("_bucket")) {
                expected.remove("le");
            }
            assertThat(names).as(sample.get("name").asText() + " labels").isEqualTo(expected);
        }
    }

    private static Optional<Double> value(Map<String, JsonNode> families, String sampleName, Map<String, String> labels) {
        for (JsonNode family : families.values()) {
            for (JsonNode sample : family.get("samples")) {
                Map<String, String> actual = new HashMap<>();
                sample.get("labels").fields().forEachRemaining(e -> actual.put(e.getKey(), e.getValue().asText()));
                if (sample.get("name").asText().equals(sampleName) && actual.equals(labels)) {
                    return Optional.of(sample.get("value").asDouble());
                }
            }
        }
        return Optional.empty();
    }
}
