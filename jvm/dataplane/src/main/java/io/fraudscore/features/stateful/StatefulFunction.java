package io.fraudscore.features.stateful;

import io.fraudscore.features.state.Persistent;

/**
 * A DSL stateful function (prev, logret, ema, ewma, rsi, macd, bollinger) over one key's sequence of
 * non-null numeric values in arrival order. A null value or a late event does not update; it reads value().
 */
public interface StatefulFunction extends Persistent {
    /** Adds a value: a {@code Long} or a finite {@code Double}; {@code ts} is the event's epoch millis. */
    void update(Object x, long ts);

    /**
     * The function of the sequence so far: null, a {@code Long} (prev of integers) or a finite
     * {@code Double}. {@code member} names the output of macd (line, signal, hist) and bollinger (mid,
     * upper, lower) and is null for the others.
     */
    Object value(String member);
}
