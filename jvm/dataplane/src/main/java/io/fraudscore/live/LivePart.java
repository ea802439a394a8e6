package io.fraudscore.live;

import io.fraudscore.features.engine.BlockProgram;
import io.fraudscore.features.engine.KeyState;
import io.fraudscore.features.engine.KeyStateCodec;
import io.fraudscore.features.state.BytesOut;
import java.io.DataInput;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A block computed for one key (Python's {@code Part}): {@code card} for {@code per card_id}, {@code
 * both@card_id} for one key of a fan-out. Its state id is the block's name and fingerprint plus the fan-out key,
 * so a changed block starts afresh and an unchanged one keeps its state across feature set versions. Not
 * thread-safe: the block program reuses one frame (one feature set per operator instance).
 */
public final class LivePart {
    private final String name;
    private final String stateId;
    private final String blockId;
    private final List<String> fields;
    private final int[] keySlots;
    private final int tsSlot;
    private final String[] names; // output order, with the suffix
    private final BlockProgram program;
    private final long ttlMs;
    private final Map<String, Object> defaults;

    LivePart(String name, String stateId, String blockId, List<String> fields, int[] keySlots, int tsSlot,
            List<String> outputs, String suffix, BlockProgram program, long ttlMs) {
        this.name = name;
        this.stateId = stateId;
        this.blockId = blockId;
        this.fields = List.copyOf(fields);
        this.keySlots = keySlots;
        this.tsSlot = tsSlot;
        this.names = outputs.stream().map(n -> suffix == null ? n : n + suffix).toArray(String[]::new);
        this.program = program;
        this.ttlMs = ttlMs;
        Object[] values = new Object[names.length];
        program.defaults(values, 0);
        this.defaults = Collections.unmodifiableMap(named(values));
    }

    public String name() {
        return name;
    }

    public String stateId() {
        return stateId;
    }

    /** The block's id (its name and fingerprint): what {@code since} is kept by. */
    String blockId() {
        return blockId;
    }

    /** The event fields that make the part's key. */
    public List<String> fields() {
        return fields;
    }

    int[] keySlots() {
        return keySlots;
    }

    /** A key's state not updated for this long is dropped (the block's ttl). */
    public long ttlMs() {
        return ttlMs;
    }

    public KeyState newState() {
        return program.newState();
    }

    /** A key's state from bytes {@link #encode} wrote for the same part. */
    public KeyState decode(byte[] bytes) throws IOException {
        return KeyStateCodec.decode(program, bytes);
    }

    public byte[] encode(KeyState state) {
        return KeyStateCodec.encode(state);
    }

    /**
     * The part's features for the event (read with the owning set's {@link LiveFeatureSet#fields()}), named with
     * the part's suffix, in the block's output order; updates {@code state} unless the event is late.
     */
    public Map<String, Object> evaluate(Object[] event, KeyState state) {
        return evaluate(event, state, null);
    }

    /** As {@link #evaluate(Object[], KeyState)}; what the event did to the state goes to {@code change} (when
     * not null), for {@link #replay}. */
    public Map<String, Object> evaluate(Object[] event, KeyState state, BytesOut change) {
        Object[] out = new Object[names.length];
        program.evaluate(event, ts(event[tsSlot]), state, out, 0, change);
        return named(out);
    }

    /** Does to {@code state} again what an event did, from the change {@link #evaluate} wrote for this part. */
    public void replay(DataInput change, KeyState state) throws IOException {
        program.replay(change, state);
    }

    /** The part's features when the event lacks its key. */
    public Map<String, Object> defaults() {
        return defaults;
    }

    /** The feature names it gives, in order. */
    public List<String> featureNames() {
        return List.of(names);
    }

    private Map<String, Object> named(Object[] values) {
        Map<String, Object> out = new LinkedHashMap<>(names.length * 2);
        for (int i = 0; i < names.length; i++) {
            out.put(names[i], values[i]);
        }
        return out;
    }

    private static long ts(Object ts) {
        if (ts instanceof Long l) {
            return l;
        }
        if (ts instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p63) {
            return d.longValue();
        }
        throw new IllegalArgumentException("the event's 'ts' is not an integer (epoch milliseconds): " + ts);
    }

    @Override
    public String toString() {
        return "LivePart[" + stateId + "]";
    }
}
