package io.fraudscore.features.aggregate;

import io.fraudscore.features.state.Persistent;

/**
 * One key's summary of the non-null values in one exact sliding window, kept incrementally: values are
 * added as events arrive and removed, oldest first, as they leave the window, so a result needs no rescan.
 * Mutable on purpose: one lives per key, window and input, and is updated for every event.
 *
 * <p>Values are what the feature plan's input kinds allow: {@code Long} (an integer), {@code Double}
 * (always finite), {@code String} or {@code Boolean}; never null ({@code seq} is the event's arrival number
 * in the key's log).
 */
public interface Accumulator extends Summary, Persistent {
    void add(long seq, Object x);

    /** Takes out the oldest value still in (the one added with this {@code seq}). */
    void remove(long seq, Object x);

    /** Whether the state is the same whatever order the values came in (sums, counts, distinct values). */
    boolean orderFree();
}
