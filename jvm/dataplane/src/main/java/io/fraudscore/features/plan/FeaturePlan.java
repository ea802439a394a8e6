package io.fraudscore.features.plan;

import java.util.List;

/**
 * A feature set compiled by the Python DSL compiler (dsl/plan.py), as the engine runs it: blocks with their
 * keys, inputs, aggregates, stateful calls and features. The format is described in jvm/dataplane/PLAN.md.
 * {@link PlanReader#read} builds one from JSON and checks it; the engine never sees DSL text.
 */
public record FeaturePlan(String featureset, long version, long latenessMs, List<BlockPlan> blocks) {
    public static final String FORMAT = "fraudscore.feature-plan";
    public static final int PLAN_VERSION = 1;
}
