package io.fraudscore.live;

/** A control message applied; the description says what changed, in Python's words. */
public record Applied(String description) implements ControlOutcome {}
