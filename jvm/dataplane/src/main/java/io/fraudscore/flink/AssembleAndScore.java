package io.fraudscore.flink;

import io.fraudscore.live.ControlOutcome;
import io.fraudscore.live.EventFeatures;
import io.fraudscore.live.LateRejection;
import io.fraudscore.live.LiveFeatureSet;
import io.fraudscore.live.LiveView;
import io.fraudscore.live.OperatorControl;
import io.fraudscore.live.Rejected;
import io.fraudscore.live.ScoreOutcome;
import io.fraudscore.live.ScoreRecords;
import io.fraudscore.live.Scored;
import io.fraudscore.live.ScoringFailed;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

/**
 * Keyed by customer: an event's parts come together (for at most the part wait, longer just after a start)
 * and the event is scored with every live model. Scoring in one place keyed by customer is what keeps a
 * customer's versions from going back during a swap. An event with one part (or none) is scored as it
 * arrives, with no state. Reports rejected control messages on {@code dlq} (subtask 0 only, not once per
 * subtask). Emits (tag, key, value) rows: {@link ScoringOperators#TO_SCORES}, {@code TO_ALERTS}, {@code TO_DLQ}.
 */
public final class AssembleAndScore extends KeyedBroadcastProcessFunction<String, Routed, String, Row> {
    private static final long serialVersionUID = 1L;
    static final String PENDING_STATE = "pending";
    static final String PENDING_COUNT_STATE = "pending_count";
    /** A part later than the wait still finds its event marked scored this long. */
    private static final long LATE_PART_GRACE_MS = 60_000;
    /** Longer than any entry waits (the start wait, then the grace twice at most), so that it rarely recounts. */
    private static final Duration PENDING_COUNT_TTL = Duration.ofMinutes(10);

    private final String signingKey;
    private final ArrayList<String> history;
    private final long partWaitMs;
    private final long startWaitMs;
    private transient OperatorControl control;
    private transient MapState<String, Pending> pending;
    /**
     * How many entries {@link #pending} holds for the key; null: not counted yet (a state from before the count).
     * A timer finds nothing to do without listing the map: on RocksDB the listing skips every entry removed
     * since the last compaction, and that was half the assembly's time. It expires a while after its last
     * change (a customer gone quiet keeps no state); counting the map again is always right.
     */
    private transient ValueState<Integer> pendingCount;
    private transient boolean reportsRejections;
    private transient long startedMs;
    private transient Counter scores;
    private transient Counter scoringFailures;
    private transient Counter eventsMissingParts;
    private transient Counter lateParts;
    private transient Counter controlRejected;

    AssembleAndScore(String signingKey, List<String> history, long partWaitMs, long startWaitMs) {
        this.signingKey = signingKey;
        this.history = new ArrayList<>(history);
        this.partWaitMs = partWaitMs;
        this.startWaitMs = startWaitMs;
    }

    @Override
    public void open(OpenContext context) {
        control = new OperatorControl(signingKey, history, true);
        TypeInformation<Pending> type = TypeInformation.of(Pending.class);
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>(PENDING_STATE, Types.STRING, type));
        ValueStateDescriptor<Integer> counted = new ValueStateDescriptor<>(PENDING_COUNT_STATE, Types.INT);
        counted.enableTimeToLive(StateTtlConfig.newBuilder(PENDING_COUNT_TTL)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        pendingCount = getRuntimeContext().getState(counted);
        reportsRejections = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
        startedMs = System.currentTimeMillis();
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("fraudscore");
        scores = group.counter("scores");
        scoringFailures = group.counter("scoring_failures");
        eventsMissingParts = group.counter("events_missing_parts");
        lateParts = group.counter("late_parts");
        controlRejected = group.counter("control_rejected");
    }

    @Override
    public void close() {
        if (control != null) {
            control.close();
        }
    }

    @Override
    public void processElement(Routed routed, ReadOnlyContext ctx, Collector<Row> out) throws Exception {
        if (routed.notCanonical != null) {
            out.collect(toDlq(RouteEvents.NOT_CANONICAL_KEY, routed.notCanonical));
            return;
        }
        reportLateRejections(out);
        String[] parts = routed.parts;
        if (parts.length <= 1) { // nothing to wait for
            Map<String, Object> values = Json.object(routed.local);
            if (routed.features != null) {
                values.putAll(Json.object(routed.features));
            }
            List<String> missing = parts.length == 1 && routed.features == null ? List.of(parts) : List.of();
            score(live(ctx), routed.event, routed.enteredMs, values, routed.featureSet, missing, out,
                    ctx.getCurrentKey());
            return;
        }
        Pending waiting = pending.get(routed.eventId);
        boolean waitsAlready = waiting != null;
        if (waiting == null) {
            long now = ctx.timerService().currentProcessingTime();
            waiting = new Pending();
            waiting.enteredMs = routed.enteredMs;
            waiting.featureSet = routed.featureSet;
            waiting.parts = parts;
            waiting.got = new String[0];
            waiting.partFeatures = new String[0];
            waiting.deadline = Math.max(now + partWaitMs, startedMs + startWaitMs);
            ctx.timerService().registerProcessingTimeTimer(waiting.deadline);
        } else if (waiting.scored) {
            lateParts.inc(); // its event went without it; scoring it again would repeat it
            return;
        }
        waiting.arrived++;
        if (routed.event != null) {
            waiting.eventUtf8 = routed.event;
            waiting.localUtf8 = routed.local;
        }
        if (routed.features != null) {
            waiting.partFeatures = append(waiting.partFeatures, new String(routed.features, StandardCharsets.UTF_8));
            waiting.got = append(waiting.got, routed.part);
        }
        boolean complete = waiting.arrived == parts.length;
        if (waiting.eventUtf8 == null || !complete && !waiting.overdue) {
            if (!waitsAlready) {
                countPending(1); // first: a count made from the map must not include it yet
            }
            pending.put(routed.eventId, waiting);
            return;
        }
        if (complete) { // a part came before (parts.length > 1), so it waits in the map
            removePending(routed.eventId);
            score(live(ctx), waiting, out, ctx.getCurrentKey());
        } else { // its wait was over before its event came
            scoreWithoutTheRest(live(ctx), routed.eventId, waiting, ctx.timerService().currentProcessingTime(),
                    ctx.timerService(), out, ctx.getCurrentKey());
        }
    }

    /**
     * The customer's events whose wait is over: scored without the parts not in yet, then remembered for a
     * grace period so that a part still on its way is dropped, not scored again. One whose event has not come
     * yet is scored as soon as it does.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Row> out) throws Exception {
        if (countPending(0) == 0) { // each in time: its timer stays, with nothing left to do
            return;
        }
        List<Map.Entry<String, Pending>> due = new ArrayList<>();
        for (Map.Entry<String, Pending> entry : pending.entries()) {
            if (entry.getValue().deadline <= timestamp) {
                due.add(entry);
            }
        }
        if (due.isEmpty()) {
            return;
        }
        LiveView live = live(ctx);
        for (Map.Entry<String, Pending> entry : due) {
            Pending waiting = entry.getValue();
            if (waiting.scored) {
                removePending(entry.getKey());
            } else if (waiting.eventUtf8 != null) {
                scoreWithoutTheRest(live, entry.getKey(), waiting, timestamp, ctx.timerService(), out,
                        ctx.getCurrentKey());
            } else if (!waiting.overdue) {
                waiting.overdue = true;
                waiting.deadline = timestamp + LATE_PART_GRACE_MS;
                pending.put(entry.getKey(), waiting);
                ctx.timerService().registerProcessingTimeTimer(waiting.deadline);
            } else {
                // Never seen: the part carrying the event left RouteEvents with the others, and Flink loses
                // none of them (a restore replays them all). Not kept for ever all the same.
                removePending(entry.getKey());
            }
        }
    }

    /** The key's count of entries in {@link #pending}, changed by {@code delta}; counted from the map if unknown. */
    private int countPending(int delta) throws Exception {
        Integer known = pendingCount.value();
        int count = known != null ? known : countEntries();
        if (delta != 0 || known == null) {
            pendingCount.update(count + delta);
        }
        return count + delta;
    }

    private int countEntries() throws Exception {
        int count = 0;
        for (String ignored : pending.keys()) {
            count++;
        }
        return count;
    }

    /** An entry known to be in the map: counted first, so that a count made from the map includes it. */
    private void removePending(String eventId) throws Exception {
        countPending(-1);
        pending.remove(eventId);
    }

    private void scoreWithoutTheRest(LiveView live, String eventId, Pending waiting, long now,
            TimerService timers, Collector<Row> out, String key) throws Exception {
        score(live, waiting, out, key);
        Pending mark = new Pending();
        mark.scored = true;
        mark.deadline = now + LATE_PART_GRACE_MS;
        mark.parts = new String[0];
        mark.got = new String[0];
        mark.partFeatures = new String[0];
        pending.put(eventId, mark);
        timers.registerProcessingTimeTimer(mark.deadline);
    }

    private LiveView live(ReadOnlyContext ctx) {
        return control.view(BroadcastControlState.readOnly(ctx.getBroadcastState(ScoringOperators.CONTROL_STATE)));
    }

    /** The event with the local defaults and the features of each part that came, merged once, here. */
    private void score(LiveView live, Pending waiting, Collector<Row> out, String key) {
        Map<String, Object> values = Json.object(waiting.localUtf8);
        for (String features : waiting.partFeatures) {
            values.putAll(Json.object(features));
        }
        score(live, waiting.eventUtf8, waiting.enteredMs, values, waiting.featureSet, missing(waiting), out, key);
    }

    private void score(LiveView live, byte[] eventJson, long enteredMs, Map<String, Object> values, String label,
            List<String> missing, Collector<Row> out, String key) {
        Map<String, Object> event = Json.object(eventJson);
        LiveFeatureSet features = live.features();
        LiveFeatureSet sameSet = features != null && features.label().equals(label) ? features : null;
        if (!missing.isEmpty()) {
            eventsMissingParts.inc();
        }
        long now = System.currentTimeMillis();
        EventFeatures assembled = new EventFeatures(values, label, missing, sameSet);
        for (ScoreOutcome outcome : ScoreRecords.score(event, live.models(), now, enteredMs, assembled)) {
            if (outcome instanceof ScoringFailed failed) {
                scoringFailures.inc();
                out.collect(toDlq(key, failed.dlqJson()));
            } else if (outcome instanceof Scored scored) {
                scores.inc();
                out.collect(Row.of(ScoringOperators.TO_SCORES, key, scored.json()));
                if (scored.alert()) {
                    out.collect(Row.of(ScoringOperators.TO_ALERTS, key, scored.json()));
                }
            }
        }
    }

    private static Row toDlq(String key, String record) {
        return Row.of(ScoringOperators.TO_DLQ, key, record.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> missing(Pending waiting) {
        List<String> got = Arrays.asList(waiting.got);
        return Arrays.stream(waiting.parts).filter(name -> !got.contains(name)).toList();
    }

    private static String[] append(String[] names, String name) {
        String[] longer = Arrays.copyOf(names, names.length + 1);
        longer[names.length] = name;
        return longer;
    }

    @Override
    public void processBroadcastElement(String value, Context ctx, Collector<Row> out) {
        ControlOutcome outcome = control.apply(value, BroadcastControlState.writable(ctx.getBroadcastState(
                ScoringOperators.CONTROL_STATE)));
        if (outcome instanceof Rejected rejected) {
            report(rejected, rejected.dlqRecord(value), out);
        }
        reportLateRejections(out);
    }

    /** Versions that failed to compile after their message was applied: the alias kept what it had. */
    private void reportLateRejections(Collector<Row> out) {
        for (LateRejection late : control.drainLate()) {
            report(late.rejected(), late.dlqRecord(), out);
        }
    }

    private void report(Rejected rejected, String record, Collector<Row> out) {
        controlRejected.inc();
        if (reportsRejections) {
            out.collect(toDlq(rejected.modelId() != null ? rejected.modelId() : "control", record));
        }
    }
}
