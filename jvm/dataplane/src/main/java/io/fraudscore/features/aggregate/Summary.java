package io.fraudscore.features.aggregate;

/** What a window (or a tile) knows of its values, enough to answer each aggregate of its family. */
public interface Summary {
    /**
     * The aggregate over the summarised values, plus {@code current} when {@code include} is true (a
     * window that holds the current event; {@code current} may be null, and then adds nothing).
     */
    Object result(AggregateFunction function, Object current, boolean include);
}
