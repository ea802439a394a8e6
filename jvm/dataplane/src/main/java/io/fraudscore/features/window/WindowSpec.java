package io.fraudscore.features.window;

/**
 * One aggregate's window as the plan states it: {@code over 1h} (time, millis), {@code over last 20} (last,
 * count), {@code over lifetime} (time over the block's ttl); {@code tileMs > 0} for {@code over 7d every 1h}
 * and for {@code approx}, which keeps a sketch per tile.
 */
public record WindowSpec(boolean time, long millis, int count, boolean excludeCurrent, long tileMs, boolean approx) {
    /** How many past entries a {@code last N} window holds besides the current event. */
    public int pastCount() {
        return count - (excludeCurrent ? 0 : 1);
    }
}
