package io.fraudscore.features.plan;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What an event adds to some aggregates: {@code value} (null: the constant 1 of {@code count()}), kept only
 * where {@code where} is true, as a value of {@code kind} (number, timestamp, string, bool or any; a value
 * of another kind is null).
 */
public record InputPlan(JsonNode value, JsonNode where, String kind) {}
