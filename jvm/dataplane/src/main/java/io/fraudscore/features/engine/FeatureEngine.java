package io.fraudscore.features.engine;

import io.fraudscore.features.expr.FieldSlots;
import io.fraudscore.features.plan.BlockPlan;
import io.fraudscore.features.plan.FeaturePlan;
import io.fraudscore.features.plan.InvalidPlanException;
import io.fraudscore.features.plan.PartPlan;
import io.fraudscore.features.value.Numbers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every block of a feature plan with the state of every key it has seen, in one process: what
 * {@code fraudscore dsl eval} and training run. (The scoring job keeps the same {@link KeyState}s in Flink
 * keyed state and calls {@link BlockProgram} per part instead.) Not thread-safe.
 */
public final class FeatureEngine {
    private final FieldSlots fields = new FieldSlots();
    private final int tsSlot;
    private final List<Route> routes = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    /** One way an event reaches a block's state: by its key fields (one key, or one of a fan-out's). */
    record Route(String part, BlockProgram program, int[] keySlots, int offset, Map<Object, KeyState> states) {}

    public FeatureEngine(FeaturePlan plan) throws InvalidPlanException {
        tsSlot = fields.slot("ts");
        for (BlockPlan block : plan.blocks()) {
            BlockProgram program = new BlockProgram(block, fields, plan.latenessMs());
            for (PartPlan part : block.parts()) {
                int[] keySlots = part.fields().stream().mapToInt(fields::slot).toArray();
                routes.add(new Route(part.name(), program, keySlots, names.size(), new HashMap<>()));
                String suffix = part.suffix() == null ? "" : part.suffix();
                block.outputs().forEach(name -> names.add(name + suffix));
            }
        }
    }

    /** The event fields the plan reads, by slot: what {@link #process} expects in its array. */
    public FieldSlots fields() {
        return fields;
    }

    /** Every feature's name (fan-out features named {@code feature@key}), in the order process() gives them. */
    public List<String> featureNames() {
        return List.copyOf(names);
    }

    /**
     * Every feature for one event, given as its fields by slot ({@code ts}, epoch millis, must be a Long).
     * Keys that are null, or not an id (a list, an object), give the block's defaults and change no state.
     */
    public Object[] process(Object[] event) {
        long ts = (Long) event[tsSlot];
        Object[] out = new Object[names.size()];
        for (Route route : routes) {
            Object key = key(event, route.keySlots());
            if (key == null) {
                route.program().defaults(out, route.offset());
                continue;
            }
            KeyState state = route.states().get(key);
            if (state == null) {
                state = route.program().newState();
                route.states().put(key, state);
            }
            route.program().evaluate(event, ts, state, out, route.offset());
        }
        return out;
    }

    /** The state key: Python-equal values are one key (1 and 1.0); null where a field is null or not an id. */
    private static Object key(Object[] event, int[] slots) {
        if (slots.length == 1) {
            return idKey(event[slots[0]]);
        }
        Object[] parts = new Object[slots.length];
        for (int i = 0; i < slots.length; i++) {
            parts[i] = idKey(event[slots[i]]);
            if (parts[i] == null) {
                return null;
            }
        }
        return Arrays.asList(parts);
    }

    private static Object idKey(Object value) {
        boolean id = value instanceof String || value instanceof Boolean || Numbers.isNumber(value);
        return id ? Numbers.key(value) : null;
    }

    List<Route> routes() {
        return routes;
    }
}
