package io.fraudscore.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudscore.features.engine.BlockProgram;
import io.fraudscore.features.expr.FieldSlots;
import io.fraudscore.features.plan.BlockPlan;
import io.fraudscore.features.plan.FeatureDefinition;
import io.fraudscore.features.plan.FeaturePlan;
import io.fraudscore.features.plan.InvalidPlanException;
import io.fraudscore.features.plan.PartPlan;
import io.fraudscore.features.value.Numbers;
import io.fraudscore.features.window.AggregateSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The live feature set (Python's {@code LiveFeatureSet}), built from the feature plan a {@code features.deploy}
 * carries: its blocks cut into parts, each computed where its key lives, and the time each block went live
 * (for warm-up: a block live before, unchanged, keeps its time and its state). Not thread-safe (one per
 * operator instance: the parts' block programs reuse a frame).
 */
public final class LiveFeatureSet {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String label;
    private final FieldSlots fields = new FieldSlots();
    private final List<LivePart> parts = new ArrayList<>();
    private final Map<String, LivePart> byStateId = new HashMap<>();
    private final Map<String, Long> windowMs = new LinkedHashMap<>(); // feature -> the longest time it looks back
    private final Map<String, String> blockOf = new LinkedHashMap<>(); // feature -> its block's id
    private final Map<String, Long> since = new TreeMap<>(); // block id -> when it went live (epoch ms)
    private final Map<List<String>, long[]> warmAt = new HashMap<>();
    private final Map<List<String>, List<String>> warmNames = new HashMap<>();

    /**
     * @param sinceBefore when each block of the set before went live (by block id); a block not in it goes live
     *     at {@code issuedAt}
     */
    public LiveFeatureSet(FeaturePlan plan, Map<String, Long> sinceBefore, long issuedAt) throws InvalidPlanException {
        label = plan.featureset() + ":" + plan.version();
        int tsSlot = fields.slot("ts");
        for (BlockPlan block : plan.blocks()) {
            BlockProgram program = new BlockProgram(block, fields, plan.latenessMs());
            Map<String, Long> windows = windowsByFeature(block);
            for (PartPlan part : block.parts()) {
                String suffix = part.suffix();
                String tail = suffix == null ? "" : suffix;
                if (!part.stateId().endsWith(tail)) {
                    throw new InvalidPlanException("block '" + block.name() + "': state id " + part.stateId()
                            + " does not end with the part's suffix " + tail);
                }
                String blockId = part.stateId().substring(0, part.stateId().length() - tail.length());
                int[] keySlots = part.fields().stream().mapToInt(fields::slot).toArray();
                LivePart live = new LivePart(part.name(), part.stateId(), blockId, part.fields(), keySlots, tsSlot,
                        block.outputs(), suffix, program, block.ttlMs());
                parts.add(live);
                byStateId.put(part.stateId(), live);
                windows.forEach((feature, ms) -> {
                    windowMs.put(feature + tail, ms);
                    blockOf.put(feature + tail, blockId);
                });
            }
        }
        for (String blockId : new HashSet<>(blockOf.values())) {
            since.put(blockId, sinceBefore.getOrDefault(blockId, issuedAt));
        }
    }

    /** {@code name:version}. */
    public String label() {
        return label;
    }

    /** The event fields the plan reads: read events with {@code new EventReader(fields())}. */
    public FieldSlots fields() {
        return fields;
    }

    public List<LivePart> parts() {
        return Collections.unmodifiableList(parts);
    }

    /** Every feature's name (fan-out features named {@code feature@key}). */
    public List<String> featureNames() {
        return List.copyOf(blockOf.keySet());
    }

    /** Block id to the time it went live (epoch ms), sorted by block id. */
    public Map<String, Long> since() {
        return Collections.unmodifiableMap(since);
    }

    /**
     * Where each part's state for the event lives, and the defaults of the parts whose key the event lacks: a key
     * value that is null, a list or an object gives the part's defaults and touches no state (DSL.md). Numbers
     * as ids are one key when Python finds them equal (1 and 1.0), as in the engine.
     */
    public Routing route(Object[] event) {
        List<RemotePart> remote = new ArrayList<>(parts.size());
        Map<String, Object> local = new LinkedHashMap<>();
        for (LivePart part : parts) {
            String key = routeKey(part, event);
            if (key == null) {
                local.putAll(part.defaults());
            } else {
                remote.add(new RemotePart(part, key));
            }
        }
        return new Routing(remote, local);
    }

    /** The part with this state id, null when it is not one of this set's. */
    public LivePart part(String stateId) {
        return byStateId.get(stateId);
    }

    /**
     * Of these features, those whose block has been live for less than the time they look back (Python's
     * {@code warming}); computed once per list of names.
     */
    public List<String> warming(List<String> featureNames, long nowMs) {
        long[] at = warmAt.get(featureNames);
        if (at == null) {
            List<String> looking = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            for (String name : featureNames) {
                Long window = windowMs.get(name);
                if (window != null && window != 0) {
                    looking.add(name);
                    times.add(since.get(blockOf.get(name)) + window);
                }
            }
            List<String> key = List.copyOf(featureNames);
            at = times.stream().mapToLong(Long::longValue).toArray();
            warmAt.put(key, at);
            warmNames.put(key, List.copyOf(looking));
        }
        List<String> names = warmNames.get(featureNames);
        List<String> warming = new ArrayList<>();
        for (int i = 0; i < at.length; i++) {
            if (nowMs < at[i]) {
                warming.add(names.get(i));
            }
        }
        return warming;
    }

    private static String routeKey(LivePart part, Object[] event) {
        int[] slots = part.keySlots();
        List<Object> values = new ArrayList<>(slots.length);
        for (int slot : slots) {
            Object value = event[slot];
            boolean id = value instanceof String || value instanceof Boolean || Numbers.isNumber(value);
            if (!id) {
                return null;
            }
            values.add(Numbers.key(value));
        }
        try {
            return part.stateId() + "|" + JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("strings and numbers are JSON", e);
        }
    }

    /** Each feature's longest time window, through the features it uses (Python's {@code _windows_by_feature}). */
    private static Map<String, Long> windowsByFeature(BlockPlan block) {
        Map<String, JsonNode> exprs = new LinkedHashMap<>();
        for (FeatureDefinition feature : block.features()) {
            exprs.put(feature.name(), feature.expr());
        }
        Map<String, Long> own = new HashMap<>();
        Map<String, Set<String>> uses = new HashMap<>();
        for (Map.Entry<String, JsonNode> feature : exprs.entrySet()) {
            long[] longest = {0};
            Set<String> used = new HashSet<>();
            walk(feature.getValue(), block, longest, used, 0);
            own.put(feature.getKey(), longest[0]);
            used.retainAll(exprs.keySet());
            uses.put(feature.getKey(), used);
        }
        Map<String, Long> windows = new LinkedHashMap<>();
        for (String name : block.outputs()) {
            windows.put(name, longest(name, own, uses, new HashSet<>()));
        }
        return windows;
    }

    private static long longest(String name, Map<String, Long> own, Map<String, Set<String>> uses, Set<String> seen) {
        seen.add(name);
        long best = own.getOrDefault(name, 0L);
        for (String used : uses.getOrDefault(name, Set.of())) {
            if (!seen.contains(used)) {
                best = Math.max(best, longest(used, own, uses, new HashSet<>(seen)));
            }
        }
        return best;
    }

    private static void walk(JsonNode node, BlockPlan block, long[] longest, Set<String> used, int depth) {
        if (node == null || depth > 200) {
            return;
        }
        if (node.isArray()) {
            node.forEach(item -> walk(item, block, longest, used, depth + 1));
            return;
        }
        if (!node.isObject()) {
            return;
        }
        if (node.has("aggregate")) {
            int index = node.get("aggregate").asInt(-1);
            if (index >= 0 && index < block.aggregates().size()) {
                AggregateSpec aggregate = block.aggregates().get(index);
                if (aggregate.window().time()) {
                    longest[0] = Math.max(longest[0], aggregate.window().millis());
                }
            }
            return;
        }
        if (node.has("stateful")) {
            int index = node.get("stateful").asInt(-1);
            if (index >= 0 && index < block.stateful().size()) {
                walk(block.stateful().get(index).argument(), block, longest, used, depth + 1);
            }
            return;
        }
        if (node.has("feature") && node.get("feature").isTextual()) {
            used.add(node.get("feature").textValue());
            return;
        }
        walk(node.get("args"), block, longest, used, depth + 1);
    }

    @Override
    public String toString() {
        return "LiveFeatureSet[" + label + ", " + parts.size() + " parts]";
    }
}
