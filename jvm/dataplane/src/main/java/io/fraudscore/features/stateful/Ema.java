package io.fraudscore.features.stateful;

import io.fraudscore.features.state.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * {@code ema(x, N)}: exponential moving average, alpha = 2 / (N + 1), seeded with the first value
 * (pandas {@code ewm(span=N, adjust=False).mean()}). As in Python, the seed is kept as given: after one
 * integer the average is that Long; the first update after it turns the average into a float.
 */
public final class Ema implements StatefulFunction {
    private final double alpha;
    private boolean seeded;
    private boolean integral; // the average is still the integer seed
    private long seed;
    private double mean;

    /** {@code span} is N, a whole number of at least 1. */
    public Ema(Number span) {
        alpha = span instanceof Double d ? 2.0 / (d + 1) : 2.0 / (double) (span.longValue() + 1);
    }

    @Override
    public void update(Object x, long ts) {
        if (PythonArithmetic.checkNumber(x) instanceof Long l) {
            update(l.longValue());
        } else {
            update(((Double) x).doubleValue());
        }
    }

    void update(long x) {
        if (!seeded) {
            seeded = true;
            integral = true;
            seed = x;
        } else {
            update((double) x);
        }
    }

    void update(double x) {
        if (!seeded) {
            seeded = true;
            mean = x;
        } else {
            mean = alpha * x + (1 - alpha) * mean();
            integral = false;
        }
    }

    boolean seeded() {
        return seeded;
    }

    boolean integral() {
        return integral;
    }

    long seed() {
        return seed;
    }

    /** The average as a float (an integer seed rounded to the nearest double, as Python's int * float). */
    double mean() {
        return integral ? (double) seed : mean;
    }

    @Override
    public Object value(String member) {
        if (!seeded) {
            return null;
        }
        return integral ? (Object) seed : PythonArithmetic.finite(mean);
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        ValueCodec.write(out, seeded ? (integral ? (Object) seed : (Object) mean) : null);
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        Object saved = ValueCodec.read(in);
        seeded = saved != null;
        integral = saved instanceof Long;
        if (saved instanceof Long l) {
            seed = l;
        } else if (saved instanceof Double d) {
            mean = d;
        }
    }
}
