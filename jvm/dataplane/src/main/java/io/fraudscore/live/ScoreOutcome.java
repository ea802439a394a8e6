package io.fraudscore.live;

/** What one live model made of one event: a score record, or the reason it could not score it. */
public sealed interface ScoreOutcome permits Scored, ScoringFailed {}
