package io.fraudscore.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores one canonical event with the live models (Python's {@code score_record.score_event}): one score record
 * per model that scores the event's type, or that model's {@code dlq} record when it fails; the other models
 * still score. The record has Python's fields in Python's order, then {@code job_ms}.
 */
public final class ScoreRecords {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REASON_CHARS = 300;

    private ScoreRecords() {}

    /**
     * A model reads the event's fields and the features (a feature wins over a field of the same name); its
     * record carries the features it used, the parts that did not arrive in time and the features still warming
     * up; {@code latency_ms} is {@code nowMs - ingested_ms} when the event has an integer {@code ingested_ms}
     * (else null); {@code job_ms} is {@code nowMs - enteredMs}, the time the job spent on the event.
     *
     * @param event the event's JSON parsed to a Map (Jackson)
     * @param enteredMs when the job first saw the event
     */
    public static List<ScoreOutcome> score(Map<String, Object> event, List<LiveModel> models, long nowMs,
            long enteredMs, EventFeatures features) {
        Object ingested = event.get("ingested_ms");
        Long latency = integer(ingested) ? nowMs - asLong(ingested) : null;
        Map<String, Object> values = features.values() == null ? Map.of() : features.values();
        Map<String, Object> record = values.isEmpty() ? event : new Overlay(event, values);
        Object eventType = event.containsKey("event_type") ? event.get("event_type") : "";
        List<ScoreOutcome> outcomes = new ArrayList<>(models.size());
        for (LiveModel model : models) {
            if (!scores(model, eventType)) {
                continue;
            }
            Map<String, Object> outputs;
            try {
                outputs = model.model().score(record);
            } catch (RuntimeException e) {
                String message = e.getMessage() == null ? "" : e.getMessage();
                outcomes.add(failed(event, model, e.getClass().getSimpleName() + ": "
                        + Rejected.prefix(message, REASON_CHARS)));
                continue;
            }
            Object score = outputs.get(model.scoreField());
            if (!(score instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                outcomes.add(failed(event, model, "output " + PyText.repr((Object) model.scoreField())
                        + " is not a number: " + PyText.repr(score)));
                continue;
            }
            double value = n.doubleValue();
            List<String> used = new ArrayList<>();
            for (String name : model.model().inputs()) {
                if (values.containsKey(name)) {
                    used.add(name);
                }
            }
            boolean alert = value >= model.threshold();
            List<String> missing = features.missingParts() == null ? List.of() : features.missingParts();
            List<String> warming = features.live() == null ? List.of() : features.live().warming(used, nowMs);
            byte[] json = RecordJson.write(g -> {
                g.writeStartObject();
                RecordJson.field(g, "event_id", event.get("event_id"));
                RecordJson.field(g, "customer_id", event.get("customer_id"));
                RecordJson.field(g, "ts", event.get("ts"));
                RecordJson.field(g, "event_type", event.get("event_type"));
                g.writeStringField("model_id", model.modelId());
                g.writeNumberField("model_version", model.version());
                RecordJson.field(g, "alias", model.alias());
                RecordJson.field(g, "mode", model.mode());
                RecordJson.field(g, "engine", model.engine());
                g.writeNumberField("score", value);
                g.writeStringField("decision", alert ? "alert" : "ok");
                g.writeNumberField("threshold", model.threshold());
                RecordJson.field(g, "outputs", outputs);
                RecordJson.field(g, "features_version", features.version());
                RecordJson.fieldOf(g, "features", values, used);
                RecordJson.field(g, "missing_parts", missing);
                RecordJson.field(g, "warming", warming);
                RecordJson.field(g, "latency_ms", latency);
                g.writeNumberField("job_ms", nowMs - enteredMs);
                g.writeEndObject();
            });
            outcomes.add(new Scored(json, alert && "active".equals(model.mode()), model.engine()));
        }
        return outcomes;
    }

    /**
     * The event with its features over it, as the models read a record (by name): a feature hides an event field
     * of its name. The engines only look names up: a copy of the event with the features put in, per event, and
     * a map of each model's features to write, per model, were a twelfth of the job's allocation (profiled).
     */
    static final class Overlay extends AbstractMap<String, Object> {
        private final Map<String, Object> event;
        private final Map<String, Object> features;

        Overlay(Map<String, Object> event, Map<String, Object> features) {
            this.event = event;
            this.features = features;
        }

        @Override
        public Object get(Object name) {
            return features.containsKey(name) ? features.get(name) : event.get(name);
        }

        @Override
        public boolean containsKey(Object name) {
            return features.containsKey(name) || event.containsKey(name);
        }

        @Override
        public Set<Map.Entry<String, Object>> entrySet() {
            Map<String, Object> merged = new HashMap<>(event);
            merged.putAll(features);
            return Collections.unmodifiableMap(merged).entrySet();
        }
    }

    private static boolean scores(LiveModel model, Object eventType) {
        return eventType instanceof String type ? model.scores(type) : model.eventTypes().isEmpty();
    }

    /** Python's {@code isinstance(x, int)}: an integer, or a bool. */
    private static boolean integer(Object x) {
        return x instanceof Long || x instanceof Integer || x instanceof Short || x instanceof Byte
                || x instanceof java.math.BigInteger || x instanceof Boolean;
    }

    private static long asLong(Object x) {
        return x instanceof Boolean b ? (b ? 1 : 0) : ((Number) x).longValue();
    }

    private static ScoringFailed failed(Map<String, Object> event, LiveModel model, String reason) {
        Map<String, Object> dlq = new LinkedHashMap<>();
        dlq.put("source", "scoring");
        dlq.put("reason", reason);
        dlq.put("event_id", event.get("event_id"));
        dlq.put("model_id", model.modelId());
        dlq.put("model_version", model.version());
        return new ScoringFailed(json(dlq));
    }

    private static String json(Map<String, Object> value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a score record that is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
