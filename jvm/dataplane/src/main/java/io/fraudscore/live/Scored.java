package io.fraudscore.live;

/**
 * A score record as JSON (topic {@code scores}); {@code alert} when the decision is "alert" and the model's
 * mode is active (the record then goes on {@code alerts} too); the engine that scored it.
 */
public record Scored(String json, boolean alert, String engine) implements ScoreOutcome {}
