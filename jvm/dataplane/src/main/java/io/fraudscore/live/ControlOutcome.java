package io.fraudscore.live;

/** What became of one control message: applied, rejected with the reason, or skipped (a tombstone). */
public sealed interface ControlOutcome permits Applied, Rejected, Skipped {}
