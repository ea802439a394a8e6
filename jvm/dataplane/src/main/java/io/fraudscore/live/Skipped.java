package io.fraudscore.live;

/** A tombstone of the compacted control topic (a null value): no message, no {@code seq} used, nothing to report. */
public record Skipped() implements ControlOutcome {}
