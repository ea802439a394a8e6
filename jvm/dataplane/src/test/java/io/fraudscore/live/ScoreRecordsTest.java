package io.fraudscore.live;

import static io.fraudscore.live.Signed.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.fraudscore.scoring.PmmlLoader;
import io.fraudscore.scoring.PmmlModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** score_record.py's record, field by field (the differential test holds the values to Python's). */
class ScoreRecordsTest {
    static Map<String, Object> event(String json) throws Exception {
        return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
    }

    static LiveModel model(String alias, String mode, Set<String> types) throws Exception {
        PmmlModel pmml = PmmlLoader.load(Signed.lr(), null);
        return new LiveModel("lr", 3, alias, mode, 0.5, types, pmml.scoreField(), "pmml4s", pmml);
    }

    @Test
    void aRecordHasPythonsFieldsInPythonsOrderThenTheJobsTime() throws Exception {
        Map<String, Object> event = event("{\"event_id\": \"e1\", \"customer_id\": \"c1\", \"ts\": 1000, "
                + "\"event_type\": \"payment\", \"amount\": 900.0, \"ingested_ms\": 990}");
        EventFeatures features = new EventFeatures(Map.of("txn_count_1h", 4L), "payments:1", List.of("device"), null);
        List<ScoreOutcome> outcomes = ScoreRecords.score(event,
                List.of(model("champion", "active", Set.of()), model("challenger", "shadow", Set.of("login"))),
                1100, 1090, features);
        assertEquals(1, outcomes.size(), "the challenger scores logins only");
        Scored scored = assertInstanceOf(Scored.class, outcomes.get(0));
        JsonNode record = JSON.readTree(scored.json());
        List<String> names = new ArrayList<>();
        record.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("event_id", "customer_id", "ts", "event_type", "model_id", "model_version", "alias",
                "mode", "engine", "score", "decision", "threshold", "outputs", "features_version", "features",
                "missing_parts", "warming", "latency_ms", "job_ms"), names);
        assertEquals("alert", record.get("decision").textValue());
        assertTrue(scored.alert());
        assertEquals("pmml4s", scored.engine());
        assertEquals(110, record.get("latency_ms").asLong());
        assertEquals(10, record.get("job_ms").asLong());
        assertEquals("{}", record.get("features").toString(), "the model reads amount only, a field");
        assertEquals("[\"device\"]", record.get("missing_parts").toString());
        assertEquals(1 / (1 + Math.exp(-4.0)), record.get("score").doubleValue(), 1e-12);
    }

    @Test
    void theModelsReadTheEventWithItsFeaturesOverItAsTheMergedCopyWouldGiveThem() {
        Map<String, Object> event = new java.util.LinkedHashMap<>();
        event.put("event_id", "e3");
        event.put("amount", 12.5);
        event.put("merchant_id", "m1");
        Map<String, Object> features = new java.util.HashMap<>();
        features.put("amount", 99.0); // a feature named as a field hides it
        features.put("merchant_id", null); // even with no value
        features.put("txn_count_1h", 4L);
        Map<String, Object> merged = new java.util.HashMap<>(event);
        merged.putAll(features);
        Map<String, Object> overlay = new ScoreRecords.Overlay(event, features);
        for (String name : List.of("event_id", "amount", "merchant_id", "txn_count_1h", "absent")) {
            assertEquals(merged.get(name), overlay.get(name), name);
            assertEquals(merged.containsKey(name), overlay.containsKey(name), name);
        }
        assertEquals(merged, overlay);
        assertEquals(merged.hashCode(), overlay.hashCode());
    }

    @Test
    void aShadowModelsAlertIsNoAlertAndAModelWithoutAScoreGoesToDlq() throws Exception {
        Map<String, Object> event = event("{\"event_id\": \"e2\", \"event_type\": \"payment\", \"amount\": 900.0, "
                + "\"ingested_ms\": \"x\"}");
        Scored shadow = assertInstanceOf(Scored.class,
                ScoreRecords.score(event, List.of(model("champion", "shadow", Set.of())), 5, 5, EventFeatures.NONE)
                        .get(0));
        assertFalse(shadow.alert());
        assertTrue(JSON.readTree(shadow.json()).get("latency_ms").isNull());
        ScoringFailed failed = assertInstanceOf(ScoringFailed.class, ScoreRecords.score(event("{\"event_id\": \"e3\"}"),
                List.of(model("champion", "active", Set.of())), 5, 5, EventFeatures.NONE).get(0));
        assertEquals("{\"source\":\"scoring\",\"reason\":\"output 'probability(1)' is not a number: None\","
                + "\"event_id\":\"e3\",\"model_id\":\"lr\",\"model_version\":3}", failed.dlqJson());
    }
}
