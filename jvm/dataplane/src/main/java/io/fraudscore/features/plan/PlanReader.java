package io.fraudscore.features.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudscore.features.aggregate.AggregateFunction;
import io.fraudscore.features.window.AggregateSpec;
import io.fraudscore.features.window.WindowSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a feature plan from JSON and checks its shape, saying where a problem is ("block 'card', aggregate 3:
 * ..."). Expressions are checked when the engine compiles them.
 */
public final class PlanReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KINDS = Set.of("number", "timestamp", "string", "bool", "any");

    private PlanReader() {}

    public static FeaturePlan read(String json) throws InvalidPlanException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidPlanException("the feature plan is not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidPlanException("the feature plan is not a JSON object");
        }
        Where where = new Where("plan");
        if (!FeaturePlan.FORMAT.equals(root.path("format").asText())) {
            throw where.error("format is not '" + FeaturePlan.FORMAT + "'");
        }
        long planVersion = where.integer(root, "plan_version");
        if (planVersion != FeaturePlan.PLAN_VERSION) {
            throw where.error("plan_version " + planVersion + " is not the " + FeaturePlan.PLAN_VERSION
                    + " this engine runs: build the data plane from the same commit as the DSL compiler");
        }
        List<BlockPlan> blocks = new ArrayList<>();
        for (JsonNode block : where.array(root, "blocks")) {
            blocks.add(block(block));
        }
        return new FeaturePlan(where.text(root, "featureset"), where.integer(root, "version"),
                where.integer(root, "lateness_ms"), List.copyOf(blocks));
    }

    private static BlockPlan block(JsonNode node) throws InvalidPlanException {
        Where where = new Where("block '" + node.path("name").asText("?") + "'");
        List<PartPlan> parts = new ArrayList<>();
        for (JsonNode part : where.array(node, "parts")) {
            String suffix = part.path("suffix").isNull() ? null : where.text(part, "suffix");
            parts.add(new PartPlan(where.text(part, "name"), where.text(part, "state_id"), where.texts(part, "fields"),
                    suffix));
        }
        List<InputPlan> inputs = new ArrayList<>();
        for (JsonNode input : where.array(node, "inputs")) {
            String kind = where.text(input, "kind");
            if (!KINDS.contains(kind)) {
                throw where.error("input of unknown kind '" + kind + "'");
            }
            inputs.add(new InputPlan(input.path("value"), input.path("where"), kind));
        }
        List<AggregateSpec> aggregates = new ArrayList<>();
        int index = 0;
        for (JsonNode aggregate : where.array(node, "aggregates")) {
            aggregates.add(aggregate(aggregate, where.at("aggregate " + index++), inputs.size()));
        }
        List<StatefulPlan> stateful = new ArrayList<>();
        for (JsonNode call : where.array(node, "stateful")) {
            List<Number> params = new ArrayList<>();
            for (JsonNode param : where.array(call, "params")) {
                params.add(param.numberValue());
            }
            stateful.add(new StatefulPlan(where.text(call, "function"), List.copyOf(params), call.path("argument")));
        }
        List<FeatureDefinition> features = new ArrayList<>();
        for (JsonNode feature : where.array(node, "features")) {
            features.add(feature(feature, where, stateful.size()));
        }
        return new BlockPlan(where.text(node, "name"), where.texts(node, "keys"), node.path("composite").asBoolean(),
                List.copyOf(parts), where.integer(node, "ttl_ms"), List.copyOf(inputs), List.copyOf(aggregates),
                List.copyOf(stateful), List.copyOf(features), where.texts(node, "outputs"));
    }

    private static AggregateSpec aggregate(JsonNode node, Where where, int inputs) throws InvalidPlanException {
        AggregateFunction function;
        try {
            function = AggregateFunction.of(where.text(node, "function"));
        } catch (IllegalArgumentException e) {
            throw where.error("unknown function '" + node.path("function").asText() + "'");
        }
        int source = (int) where.integer(node, "input");
        if (source < 0 || source >= inputs) {
            throw where.error("input " + source + " is not one of the block's " + inputs);
        }
        JsonNode window = node.path("window");
        String kind = where.text(window, "kind");
        if (!kind.equals("time") && !kind.equals("last")) {
            throw where.error("window kind '" + kind + "' is neither 'time' nor 'last'");
        }
        WindowSpec spec = new WindowSpec(kind.equals("time"), window.path("millis").asLong(),
                window.path("count").asInt(), window.path("exclude_current").asBoolean(),
                window.path("tile_ms").asLong(), window.path("approx").asBoolean());
        return new AggregateSpec(function, spec, source, node.path("every_event").asBoolean());
    }

    private static FeatureDefinition feature(JsonNode node, Where block, int stateful) throws InvalidPlanException {
        Where where = block.at("feature '" + node.path("name").asText("?") + "'");
        List<Integer> updates = new ArrayList<>();
        for (JsonNode update : where.array(node, "updates")) {
            int call = update.asInt(-1);
            if (call < 0 || call >= stateful) {
                throw where.error("updates stateful call " + update + ", not one of the block's " + stateful);
            }
            updates.add(call);
        }
        return new FeatureDefinition(where.text(node, "name"), where.text(node, "type"), List.copyOf(updates),
                node.path("expr"), literal(node.path("default"), where));
    }

    /** A literal of the plan as an engine value: Long, Double, String, Boolean or null. */
    public static Object literal(JsonNode node, Where where) throws InvalidPlanException {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isIntegralNumber()) {
            if (!node.canConvertToLong()) {
                throw where.error("integer literal " + node + " is outside 64 bits");
            }
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        throw where.error("not a literal: " + node);
    }

    /** A place in the plan, for messages, with the field readers that name it when they fail. */
    public record Where(String place) {
        public Where at(String inner) {
            return new Where(place + ", " + inner);
        }

        public InvalidPlanException error(String message) {
            return new InvalidPlanException(place + ": " + message);
        }

        String text(JsonNode node, String field) throws InvalidPlanException {
            JsonNode value = node.path(field);
            if (!value.isTextual()) {
                throw error("'" + field + "' should be a string");
            }
            return value.textValue();
        }

        long integer(JsonNode node, String field) throws InvalidPlanException {
            JsonNode value = node.path(field);
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                throw error("'" + field + "' should be an integer");
            }
            return value.longValue();
        }

        JsonNode array(JsonNode node, String field) throws InvalidPlanException {
            JsonNode value = node.path(field);
            if (!value.isArray()) {
                throw error("'" + field + "' should be a list");
            }
            return value;
        }

        List<String> texts(JsonNode node, String field) throws InvalidPlanException {
            List<String> texts = new ArrayList<>();
            for (JsonNode value : array(node, field)) {
                if (!value.isTextual()) {
                    throw error("'" + field + "' should hold strings");
                }
                texts.add(value.textValue());
            }
            return List.copyOf(texts);
        }
    }
}
