package io.fraudscore.live;

/** One model failed on one event: the {@code dlq} record (Python's {@code ScoringError.dlq_record}). */
public record ScoringFailed(String dlqJson) implements ScoreOutcome {}
