package io.fraudscore.features.aggregate;

/** Aggregates of one family over the same input and window share one accumulator (or tile summary). */
public enum Family {
    MOMENTS, DISTINCT, MIN, MAX, ENDS, SKETCH;

    /** The family of an exact aggregate; SKETCH is chosen by the plan (`approx`), never by the function. */
    public static Family of(AggregateFunction function) {
        return switch (function) {
            case MIN -> MIN;
            case MAX -> MAX;
            case FIRST, LAST -> ENDS;
            case DISTINCT -> DISTINCT;
            default -> MOMENTS;
        };
    }
}
