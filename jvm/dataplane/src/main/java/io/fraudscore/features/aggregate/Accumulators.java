package io.fraudscore.features.aggregate;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Builds accumulators (Python's {@code new_accumulator}) and answers one aggregate by a rescan ({@code aggregate}). */
public final class Accumulators {
    private static final Set<AggregateFunction> SQUARED =
            EnumSet.of(AggregateFunction.VAR, AggregateFunction.STDDEV, AggregateFunction.ZSCORE);

    private Accumulators() {}

    /**
     * An empty accumulator for the aggregates {@code functions} of one {@code family}: moments keep sums
     * only when something besides count is asked, and squares only for var, stddev and zscore. SKETCH is
     * not an exact family: IllegalArgumentException.
     */
    public static Accumulator create(Family family, Set<AggregateFunction> functions) {
        return switch (family) {
            case MOMENTS -> {
                boolean squares = false;
                boolean sums = false;
                for (AggregateFunction function : functions) { // per new key: a loop, not a stream
                    squares |= SQUARED.contains(function);
                    sums |= function != AggregateFunction.COUNT;
                }
                yield new Moments(sums, squares);
            }
            case DISTINCT -> new Distinct();
            case ENDS -> new Ends();
            case MIN -> new Extreme(true);
            case MAX -> new Extreme(false);
            case SKETCH -> throw new IllegalArgumentException("a sketch is not an exact accumulator");
        };
    }

    /**
     * One aggregate over the non-null values of a window, in window order (holding the current event's
     * value where the window does); {@code current} is what zscore measures. The same arithmetic as a
     * sliding window: an out-of-order event's answer.
     */
    public static Object aggregate(AggregateFunction function, List<Object> values, Object current) {
        if (values.isEmpty()) {
            return function.counting() ? (Object) 0L : null;
        }
        Accumulator accumulator = create(Family.of(function), EnumSet.of(function));
        long seq = 0;
        for (Object x : values) {
            accumulator.add(seq++, x);
        }
        return accumulator.result(function, current, false);
    }
}
