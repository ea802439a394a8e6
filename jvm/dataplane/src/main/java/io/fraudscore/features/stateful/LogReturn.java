package io.fraudscore.features.stateful;

import io.fraudscore.features.value.Exact;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * {@code logret(x)}: ln(x / prev(x)); null without a previous value, when either is not positive, or
 * when the result is not finite. The quotient is Python's (two ints: rounded once); the logarithm is
 * {@link Math#log}, which may differ from the C library's {@code log} that Python calls by an ulp.
 */
public final class LogReturn implements StatefulFunction {
    private final Prev prev = new Prev();

    @Override
    public void update(Object x, long ts) {
        prev.update(x, ts);
    }

    @Override
    public Object value(String member) {
        Object previous = prev.previous();
        Object last = prev.last();
        if (previous == null || last == null || !positive(previous) || !positive(last)) {
            return null;
        }
        double ratio = last instanceof Long l && previous instanceof Long p
                ? Exact.divide(l, p)
                : PythonArithmetic.asDouble(last) / PythonArithmetic.asDouble(previous);
        // A ratio that underflows to 0 (1e-300 after 1e300) makes Python's math.log raise; here it is null.
        return PythonArithmetic.finite(Math.log(ratio));
    }

    private static boolean positive(Object x) {
        return x instanceof Long l ? l > 0 : (Double) x > 0.0;
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        prev.writeTo(out);
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        prev.readFrom(in);
    }
}
