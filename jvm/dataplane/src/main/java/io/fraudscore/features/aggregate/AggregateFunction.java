package io.fraudscore.features.aggregate;

import java.util.Locale;

/** The DSL's aggregates (DSL.md "Aggregates"), as the feature plan names them. */
public enum AggregateFunction {
    COUNT, SUM, AVG, MIN, MAX, STDDEV, VAR, DISTINCT, FIRST, LAST, ZSCORE;

    /** The enum for a plan's lower-case name ("count", "zscore"); IllegalArgumentException for others. */
    public static AggregateFunction of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** count, sum and distinct give 0 over an empty window; every other aggregate gives null. */
    public boolean counting() {
        return this == COUNT || this == SUM || this == DISTINCT;
    }
}
