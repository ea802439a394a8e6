package io.fraudscore.flink;

import io.fraudscore.features.engine.EventReader;
import io.fraudscore.features.engine.KeyState;
import io.fraudscore.live.LiveFeatureSet;
import io.fraudscore.live.LivePart;
import io.fraudscore.live.LiveView;
import io.fraudscore.live.OperatorControl;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by part key (a part's state id and its key's values): the part's features for the event, its state
 * updated, sent on to where the event is assembled. An event with no part passes through unchanged.
 *
 * <p>A key's state is the feature engine's {@link KeyState} with the time it was last touched
 * ({@link StoredKeyState}: encoded through {@code KeyStateCodec} only when Flink writes it out); a
 * processing-time timer drops it once the block's ttl has passed since then (state TTL that follows each
 * block's own ttl, which Flink's per-descriptor TTL cannot).
 */
public final class ComputeFeatures extends KeyedBroadcastProcessFunction<String, Routed, String, Routed> {
    private static final long serialVersionUID = 1L;
    static final String FEATURE_STATE = "feature_state";

    private final String signingKey;
    private final ArrayList<String> history;
    private transient OperatorControl control;
    private transient ValueState<StoredKeyState> keyStates;
    private transient Map<LiveFeatureSet, EventReader> readers;

    ComputeFeatures(String signingKey, List<String> history) {
        this.signingKey = signingKey;
        this.history = new ArrayList<>(history);
    }

    @Override
    public void open(OpenContext context) {
        control = new OperatorControl(signingKey, history, false);
        keyStates = getRuntimeContext().getState(new ValueStateDescriptor<>(FEATURE_STATE, StoredKeyStateSerializer.INSTANCE));
        readers = new IdentityHashMap<>();
    }

    @Override
    public void close() {
        if (control != null) {
            control.close();
        }
    }

    @Override
    public void processElement(Routed routed, ReadOnlyContext ctx, Collector<Routed> out) throws Exception {
        if (!routed.toPart) {
            out.collect(routed);
            return;
        }
        LiveView live = control.view(BroadcastControlState.readOnly(ctx.getBroadcastState(ScoringOperators.CONTROL_STATE)));
        Found found = find(live, routed.part);
        Routed reply = routed.copy();
        reply.toPart = false;
        reply.key = routed.assembledAt;
        // A part whose block this subtask does not know yet (the swap reached it after the router) goes on
        // without values: the event is scored without them and says so.
        reply.part = found == null ? null : found.part().name();
        reply.features = found == null ? null : Json.bytes(compute(found, routed.event, ctx));
        if (!routed.carriesEvent) { // the assembly has the event from the part that carries it
            reply.event = null;
        }
        out.collect(reply);
    }

    private Map<String, Object> compute(Found found, byte[] event, ReadOnlyContext ctx) throws Exception {
        LivePart part = found.part();
        StoredKeyState stored = keyStates.value();
        long now = ctx.timerService().currentProcessingTime();
        if (stored == null) {
            stored = StoredKeyState.fresh(part.newState(), now);
            ctx.timerService().registerProcessingTimeTimer(now + part.ttlMs());
        }
        KeyState state = stored.state(part::decode);
        Map<String, Object> values = part.evaluate(readerOf(found.set()).read(event), state);
        stored.touchedMs = now;
        keyStates.update(stored); // the same object on the heap backend; written out by other backends
        return values;
    }

    /** The block's ttl, in processing time, since the key was last updated: its state goes. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Routed> out) throws Exception {
        StoredKeyState stored = keyStates.value();
        if (stored == null) {
            return;
        }
        long last = stored.touchedMs;
        String stateId = ctx.getCurrentKey().split("\\|", 2)[0];
        Found found = find(control.view(BroadcastControlState.readOnly(ctx.getBroadcastState(ScoringOperators.CONTROL_STATE))), stateId);
        if (found == null || last + found.part().ttlMs() <= timestamp) {
            keyStates.clear();
        } else {
            ctx.timerService().registerProcessingTimeTimer(last + found.part().ttlMs());
        }
    }

    /** A reader of the fields a feature set reads; the readers of sets gone by are dropped as a new set comes. */
    private EventReader readerOf(LiveFeatureSet set) {
        EventReader reader = readers.get(set);
        if (reader == null) {
            if (readers.size() >= 2) {
                readers.clear();
            }
            reader = new EventReader(set.fields());
            readers.put(set, reader);
        }
        return reader;
    }

    private record Found(LiveFeatureSet set, LivePart part) {}

    /** The part in the live feature set, or in the one before it for events routed just before a swap. */
    private Found find(LiveView live, String stateId) {
        for (LiveFeatureSet set : new LiveFeatureSet[] {live.features(), live.previousFeatures()}) {
            LivePart part = set == null ? null : set.part(stateId);
            if (part != null) {
                return new Found(set, part);
            }
        }
        return null;
    }

    @Override
    public void processBroadcastElement(String value, Context ctx, Collector<Routed> out) {
        control.apply(value, BroadcastControlState.writable(ctx.getBroadcastState(ScoringOperators.CONTROL_STATE)));
    }
}
