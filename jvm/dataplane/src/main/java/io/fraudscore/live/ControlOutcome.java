package io.fraudscore.live;

/** What became of one control message: applied, or rejected with the reason. */
public sealed interface ControlOutcome permits Applied, Rejected {}
