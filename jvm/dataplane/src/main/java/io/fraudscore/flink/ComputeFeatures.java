package io.fraudscore.flink;

import io.fraudscore.features.engine.EventReader;
import io.fraudscore.features.engine.KeyState;
import io.fraudscore.features.state.BytesIn;
import io.fraudscore.features.state.BytesOut;
import io.fraudscore.features.state.ValueCodec;
import io.fraudscore.live.LiveFeatureSet;
import io.fraudscore.live.LivePart;
import io.fraudscore.live.LiveView;
import io.fraudscore.live.OperatorControl;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
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
 *
 * <p>When the job logs its state's changes (Flink's changelog state backend: a checkpoint writes the log of the
 * state writes since the one before), each write of a key's whole state costs its encoding at the event and
 * its bytes in the log: kilobytes for a card with a month of payments. So most events instead log what they
 * changed ({@link LivePart#evaluate(Object[], KeyState, BytesOut)}: tens of bytes) in the key's {@code
 * feature_changes}, by the count of events applied; the whole state is written again once the changes logged
 * since outweigh it. A restored key replays the changes its state does not hold yet at its next event.
 */
public final class ComputeFeatures extends KeyedBroadcastProcessFunction<String, Routed, String, Routed> {
    private static final long serialVersionUID = 1L;
    static final String FEATURE_STATE = "feature_state";
    static final String FEATURE_CHANGES = "feature_changes";

    private final String signingKey;
    private final ArrayList<String> history;
    private final boolean logChanges;
    private transient OperatorControl control;
    private transient ValueState<StoredKeyState> keyStates;
    private transient MapState<Long, byte[]> keyChanges; // by the count of events applied with the change
    private transient Map<LiveFeatureSet, EventReader> readers;

    /** {@code logChanges}: the job logs its state's changes, so an event's change costs less than its state. */
    ComputeFeatures(String signingKey, List<String> history, boolean logChanges) {
        this.signingKey = signingKey;
        this.history = new ArrayList<>(history);
        this.logChanges = logChanges;
    }

    @Override
    public void open(OpenContext context) {
        control = new OperatorControl(signingKey, history, false);
        keyStates = getRuntimeContext().getState(new ValueStateDescriptor<>(FEATURE_STATE, StoredKeyStateSerializer.INSTANCE));
        keyChanges = getRuntimeContext().getMapState(
                new MapStateDescriptor<>(FEATURE_CHANGES, Types.LONG, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
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
        KeyState state = liveState(stored, part);
        BytesOut change = null;
        if (logChanges) {
            change = new BytesOut(64);
            ValueCodec.writeLong(change, now);
        }
        Map<String, Object> values = part.evaluate(readerOf(found.set()).read(event), state, change);
        stored.touchedMs = now;
        stored.seq++;
        if (change != null && stored.logs(change.size())) {
            keyChanges.put(stored.seq, change.toByteArray());
            stored.logged(change.size());
        } else {
            stored.changesFollow = logChanges;
            keyStates.update(stored); // the same object on the heap backend; written out by other backends
            if (stored.changesLogged > 0) {
                keyChanges.clear();
            }
            stored.wroteWhole();
        }
        return values;
    }

    /** The key's state to update: one a restore gave is decoded, and the changes logged after it replayed. */
    private KeyState liveState(StoredKeyState stored, LivePart part) throws Exception {
        boolean replays = stored.isRestored() && stored.changesFollow;
        KeyState state = stored.state(part::decode);
        if (!replays) {
            return state;
        }
        for (Map.Entry<Long, byte[]> logged : changesInOrder()) {
            BytesIn in = new BytesIn(logged.getValue());
            long touched = ValueCodec.readLong(in);
            if (logged.getKey() > stored.seq) {
                part.replay(in, state);
                stored.seq = logged.getKey();
                stored.touchedMs = Math.max(stored.touchedMs, touched);
            }
            stored.logged(logged.getValue().length); // one the state held already goes at the next whole write
        }
        return state;
    }

    private List<Map.Entry<Long, byte[]>> changesInOrder() throws Exception {
        List<Map.Entry<Long, byte[]>> logged = new ArrayList<>();
        Iterable<Map.Entry<Long, byte[]>> entries = keyChanges.entries();
        if (entries != null) {
            entries.forEach(logged::add);
        }
        logged.sort(Map.Entry.comparingByKey());
        return logged;
    }

    /** When the key was last updated: for a state a restore gave, the newest of the changes logged after it. */
    private long lastTouched(StoredKeyState stored) throws Exception {
        long last = stored.touchedMs;
        if (stored.isRestored() && stored.changesFollow) {
            for (Map.Entry<Long, byte[]> logged : changesInOrder()) {
                if (logged.getKey() > stored.seq) {
                    last = Math.max(last, ValueCodec.readLong(new BytesIn(logged.getValue())));
                }
            }
        }
        return last;
    }

    /** The block's ttl, in processing time, since the key was last updated: its state goes. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Routed> out) throws Exception {
        StoredKeyState stored = keyStates.value();
        if (stored == null) {
            return;
        }
        long last = lastTouched(stored);
        String stateId = ctx.getCurrentKey().split("\\|", 2)[0];
        Found found = find(control.view(BroadcastControlState.readOnly(ctx.getBroadcastState(ScoringOperators.CONTROL_STATE))), stateId);
        if (found == null || last + found.part().ttlMs() <= timestamp) {
            keyStates.clear();
            keyChanges.clear();
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
