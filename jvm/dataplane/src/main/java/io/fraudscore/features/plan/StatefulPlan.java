package io.fraudscore.features.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A stateful call ({@code ema(amount, 20)}): its function, its parameters in DSL order, its argument. */
public record StatefulPlan(String function, List<Number> params, JsonNode argument) {}
