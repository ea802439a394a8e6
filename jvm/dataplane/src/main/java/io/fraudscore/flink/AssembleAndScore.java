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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

/**
 * Keyed by customer: an event's parts come together (for at most the part wait, longer just after a start)
 * and the event is scored with every live model. Scoring in one place keyed by customer is what keeps a
 * customer's versions from going back during a swap. An event with one part (or none) is scored as it
 * arrives, with no state. Reports rejected control messages on {@code dlq} (subtask 0 only, not once per
 * subtask). Emits (tag, key, value) rows: {@link ScoringOperators#TO_SCORES}, {@code TO_ALERTS}, {@code TO_DLQ}.
 *
 * <p>The waiting events are on the task's heap ({@link WaitingEvents}), each with a timer at its deadline (keyed
 * state, as timers are); a checkpoint stores them as a union list of operator state, and each subtask takes back
 * at a restore those of the keys it owns, at any parallelism.
 */
public final class AssembleAndScore extends KeyedBroadcastProcessFunction<String, Routed, String, Row>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    /** Keyed state in which jobs before {@link #WAITING_STATE} kept the waiting events: read after their restore. */
    static final String PENDING_STATE = "pending";
    static final String WAITING_STATE = "waiting";
    /** Present in each checkpoint that stores {@link #WAITING_STATE}: a restore without it may find
     * {@link #PENDING_STATE}. */
    static final String WAITING_FORMAT_STATE = "waiting_format";
    private static final int WAITING_FORMAT = 1;
    /** A part later than the wait still finds its event marked scored this long. */
    private static final long LATE_PART_GRACE_MS = 60_000;

    private final String signingKey;
    private final ArrayList<String> history;
    private final long partWaitMs;
    private final long startWaitMs;
    private transient OperatorControl control;
    private transient WaitingEvents waitingEvents;
    private transient ListState<Pending> waitingStored;
    private transient ListState<Integer> formatStored;
    /** Restored from a job that kept its waiting events in keyed state: they are taken over as they are met. */
    private transient boolean legacyMayWait;
    private transient MapState<String, Pending> legacyPending;
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
    public void initializeState(FunctionInitializationContext context) throws Exception {
        waitingEvents = new WaitingEvents();
        waitingStored = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>(WAITING_STATE, TypeInformation.of(Pending.class)));
        formatStored = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>(WAITING_FORMAT_STATE, Types.INT));
        if (context.isRestored()) {
            TaskInfo task = getRuntimeContext().getTaskInfo();
            waitingEvents.restore(waitingStored.get(), key -> KeyGroupRangeAssignment.assignKeyToParallelOperator(key,
                    task.getMaxNumberOfParallelSubtasks(), task.getNumberOfParallelSubtasks())
                    == task.getIndexOfThisSubtask());
            legacyMayWait = !formatStored.get().iterator().hasNext();
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        waitingStored.update(waitingEvents.all());
        formatStored.update(List.of(WAITING_FORMAT));
    }

    @Override
    public void open(OpenContext context) {
        control = new OperatorControl(signingKey, history, true);
        legacyPending = getRuntimeContext().getMapState(
                new MapStateDescriptor<>(PENDING_STATE, Types.STRING, TypeInformation.of(Pending.class)));
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
        String key = ctx.getCurrentKey();
        if (legacyMayWait) {
            takeOverLegacy(key);
        }
        Pending waiting = waitingEvents.get(key, routed.eventId);
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
            waitingEvents.put(key, routed.eventId, waiting);
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
            return;
        }
        if (complete) {
            waitingEvents.remove(key, routed.eventId);
            score(live(ctx), waiting, out, key);
        } else { // its wait was over before its event came
            scoreWithoutTheRest(live(ctx), waiting, ctx.timerService().currentProcessingTime(), ctx.timerService(),
                    out);
        }
    }

    /**
     * The customer's events whose wait is over: scored without the parts not in yet, then remembered for a
     * grace period so that a part still on its way is dropped, not scored again. One whose event has not come
     * yet is scored as soon as it does.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Row> out) throws Exception {
        String key = ctx.getCurrentKey();
        if (legacyMayWait) {
            takeOverLegacy(key);
        }
        // None when each came in time: its timer stayed all the same.
        List<Pending> due = waitingEvents.due(key, timestamp);
        if (due.isEmpty()) {
            return;
        }
        LiveView live = live(ctx);
        for (Pending entry : due) {
            if (entry.scored) {
                waitingEvents.remove(key, entry.eventId);
            } else if (entry.eventUtf8 != null) {
                scoreWithoutTheRest(live, entry, timestamp, ctx.timerService(), out);
            } else if (!entry.overdue) {
                entry.overdue = true;
                entry.deadline = timestamp + LATE_PART_GRACE_MS;
                ctx.timerService().registerProcessingTimeTimer(entry.deadline);
            } else {
                // Never seen: the part carrying the event left RouteEvents with the others, and Flink loses
                // none of them (a restore replays them all). Not kept for ever all the same.
                waitingEvents.remove(key, entry.eventId);
            }
        }
    }

    /** The event's entry while it waits (or its mark once scored without some parts); null if none. */
    Pending waitingFor(String key, String eventId) {
        return waitingEvents.get(key, eventId);
    }

    int waitingCount() {
        return waitingEvents.size();
    }

    /** The key's entries as a job before {@link #WAITING_STATE} kept them, moved to the heap at the key's first
     * event or timer (their timers came with the restore). */
    private void takeOverLegacy(String key) throws Exception {
        stopLegacyWhenOver();
        if (!legacyMayWait || legacyPending.isEmpty()) {
            return;
        }
        for (Map.Entry<String, Pending> entry : legacyPending.entries()) {
            if (waitingEvents.get(key, entry.getKey()) == null) {
                waitingEvents.put(key, entry.getKey(), entry.getValue());
            }
        }
        legacyPending.clear();
    }

    /** Every entry a legacy state held has met its timer by then (the longest wait, then the grace twice). */
    private void stopLegacyWhenOver() {
        if (System.currentTimeMillis() > startedMs + startWaitMs + partWaitMs + 2 * LATE_PART_GRACE_MS) {
            legacyMayWait = false;
        }
    }

    /** Scored with the parts in by now; the mark it leaves drops a part still on its way instead of scoring twice. */
    private void scoreWithoutTheRest(LiveView live, Pending entry, long now, TimerService timers, Collector<Row> out) {
        score(live, entry, out, entry.key);
        Pending mark = new Pending();
        mark.scored = true;
        mark.deadline = now + LATE_PART_GRACE_MS;
        mark.parts = new String[0];
        mark.got = new String[0];
        mark.partFeatures = new String[0];
        waitingEvents.put(entry.key, entry.eventId, mark);
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
