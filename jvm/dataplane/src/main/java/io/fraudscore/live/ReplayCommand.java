package io.fraudscore.live;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudscore.features.engine.EventReader;
import io.fraudscore.features.engine.KeyState;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plays control messages and events through {@link OperatorControl} and {@link ScoreRecords} as the scoring job
 * does, without Flink: the differential test against Python's OperatorControl and score_event
 * (tests/scoring_job/test_live_jvm_parity.py) runs it.
 *
 * <pre>{@code java -cp fraudscore-dataplane.jar io.fraudscore.live.ReplayCommand SIGNING_KEY FILE|-}</pre>
 *
 * Each input line is {@code {"control": "<record value>"}} ({@code null}: a tombstone, skipped with no output),
 * {@code {"event": "<event JSON>", "now_ms": N}} or {@code {"live": true}}. Each outcome is one output line:
 * {@code {"applied": ...}}, {@code {"rejected": ..., "model_id": ...}} and {@code {"late_rejected": ...,
 * "model_id": ...}} for a control message (compiles are waited for, so the next event meets what the message made
 * live, as in Python); {@code {"score": RECORD}} or {@code {"dlq": RECORD}} per model for an event; for
 * {@code live}, {@code {"live": [{"model_id", "version", "alias", "mode", "threshold", "event_types"}, ...]}},
 * what the next event would be scored by. Features: each part's key state kept by route key (as bytes, as Flink
 * keeps it).
 */
public final class ReplayCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

    private final OperatorControl control;
    private final MapControlState state = new MapControlState();
    private final Map<String, byte[]> keyStates = new HashMap<>();
    private final Map<LiveFeatureSet, EventReader> readers = new IdentityHashMap<>();

    private ReplayCommand(String signingKey) {
        control = new OperatorControl(signingKey, List.of(), true);
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ReplayCommand SIGNING_KEY FILE|-");
            System.exit(2);
        }
        Reader in = args[1].equals("-")
                ? new InputStreamReader(System.in, StandardCharsets.UTF_8)
                : Files.newBufferedReader(Path.of(args[1]), StandardCharsets.UTF_8);
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)));
        ReplayCommand replay = new ReplayCommand(args[0]);
        try (BufferedReader lines = new BufferedReader(in)) {
            int number = 0;
            for (String line; (line = lines.readLine()) != null; ) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    replay.play(JSON.readTree(line), out);
                } catch (IOException | RuntimeException e) {
                    System.err.println("line " + number + ": " + e);
                    out.flush();
                    System.exit(1);
                }
            }
        } finally {
            out.flush();
            replay.control.close();
        }
    }

    private void play(JsonNode line, PrintWriter out) throws IOException {
        if (line.has("live")) {
            List<Map<String, Object>> live = new ArrayList<>();
            for (LiveModel model : control.view(state).models()) {
                Map<String, Object> said = new LinkedHashMap<>();
                said.put("model_id", model.modelId());
                said.put("version", model.version());
                said.put("alias", model.alias());
                said.put("mode", model.mode());
                said.put("threshold", model.threshold());
                said.put("event_types", List.copyOf(model.eventTypes()));
                live.add(said);
            }
            out.println(JSON.writeValueAsString(Map.of("live", live)));
            return;
        }
        if (line.has("control")) {
            ControlOutcome outcome = control.apply(line.get("control").textValue(), state);
            if (outcome instanceof Skipped) {
                return;
            }
            control.awaitCompiles();
            Map<String, Object> said = new LinkedHashMap<>();
            if (outcome instanceof Applied applied) {
                said.put("applied", applied.description());
            } else if (outcome instanceof Rejected rejected) {
                said.put("rejected", rejected.reason());
                said.put("model_id", rejected.modelId());
            }
            out.println(JSON.writeValueAsString(said));
            control.view(state); // a view polls the compilations: late rejections are known now
            for (Rejected late : control.drainLateRejections()) {
                Map<String, Object> lateSaid = new LinkedHashMap<>();
                lateSaid.put("late_rejected", late.reason());
                lateSaid.put("model_id", late.modelId());
                out.println(JSON.writeValueAsString(lateSaid));
            }
            return;
        }
        String text = line.get("event").textValue();
        long now = line.get("now_ms").asLong();
        LiveView view = control.view(state);
        EventFeatures features = EventFeatures.NONE;
        if (view.features() != null) {
            LiveFeatureSet live = view.features();
            Object[] fields = readers.computeIfAbsent(live, set -> new EventReader(set.fields())).read(text);
            Routing routing = live.route(fields);
            Map<String, Object> values = new LinkedHashMap<>(routing.local());
            for (RemotePart remote : routing.remote()) {
                byte[] stored = keyStates.get(remote.routeKey());
                KeyState keyState = stored == null ? remote.part().newState() : remote.part().decode(stored);
                values.putAll(remote.part().evaluate(fields, keyState));
                keyStates.put(remote.routeKey(), remote.part().encode(keyState));
            }
            features = new EventFeatures(values, live.label(), List.of(), live);
        }
        Map<String, Object> event = JSON.readValue(text, MAP);
        for (ScoreOutcome outcome : ScoreRecords.score(event, view.models(), now, now, features)) {
            if (outcome instanceof Scored scored) {
                out.println("{\"score\":" + new String(scored.json(), StandardCharsets.UTF_8) + "}");
            } else if (outcome instanceof ScoringFailed failed) {
                out.println("{\"dlq\":" + failed.dlqJson() + "}");
            }
        }
    }
}
