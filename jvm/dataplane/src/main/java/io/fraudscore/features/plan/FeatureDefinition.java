package io.fraudscore.features.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One feature: its expression, its static type, the literal that replaces a null result, and the stateful
 * calls it updates before its expression is evaluated (each call once an event, by the first feature that
 * uses it, whichever branch its expression then takes).
 */
public record FeatureDefinition(String name, String type, List<Integer> updates, JsonNode expr, Object defaultValue) {}
