package io.fraudscore.live;

/**
 * A score record as JSON in UTF-8, as it goes to Kafka (topic {@code scores}); {@code alert} when the decision
 * is "alert" and the model's mode is active (the record then goes on {@code alerts} too); the engine that
 * scored it. The bytes are not copied: whoever has them does not change them.
 */
public record Scored(byte[] json, boolean alert, String engine) implements ScoreOutcome {}
