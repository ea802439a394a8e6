package io.fraudscore.features.plan;

import io.fraudscore.features.window.AggregateSpec;
import java.util.List;

/**
 * One {@code features} block: computed per key (each of {@code parts}: one for a key or a composite key, one
 * per key of a fan-out), with inputs to its aggregates, its stateful calls, its features in dependency
 * order and the order it outputs them in (the block's own).
 */
public record BlockPlan(
        String name,
        List<String> keys,
        boolean composite,
        List<PartPlan> parts,
        long ttlMs,
        List<InputPlan> inputs,
        List<AggregateSpec> aggregates,
        List<StatefulPlan> stateful,
        List<FeatureDefinition> features,
        List<String> outputs) {}
