package io.fraudscore.control;

import java.util.Optional;

/**
 * The {@code seq} rule, as scoring_job/live_models.py applies it: the control topic (one partition) carries
 * one sequence, numbered by the model store from one counter whatever the record's key, and a message whose
 * {@code seq} is not above the last one applied is stale, whichever key it has. An authentic, fresh message
 * uses up its {@code seq} even when its content is then refused (a PMML that does not compile), so that every
 * operator agrees on the sequence. A compacted topic keeps its surviving records in their order, so a job
 * replaying it still sees the numbers increase.
 *
 * @param last the {@code seq} of the last message applied, -1 before any
 */
public record ControlSequence(long last) {
    public static final ControlSequence NONE = new ControlSequence(-1);

    /** Why the message is stale (the reason for {@code dlq}), or empty when it is newer than the last one. */
    public Optional<String> stale(ControlMessage message) {
        if (message.seq() <= last) {
            return Optional.of("stale seq " + message.seq() + ": " + last + " already applied");
        }
        return Optional.empty();
    }

    /** The sequence once the message is applied, or refused for its content. */
    public ControlSequence after(ControlMessage message) {
        if (message.seq() <= last) {
            throw new IllegalArgumentException("seq " + message.seq() + " is not after " + last);
        }
        return new ControlSequence(message.seq());
    }
}
