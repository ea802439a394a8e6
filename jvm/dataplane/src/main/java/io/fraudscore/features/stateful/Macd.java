package io.fraudscore.features.stateful;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * {@code macd(x, fast, slow, signal)}: {@code .line} = ema(x, fast) - ema(x, slow), {@code .signal} =
 * ema(line, signal), {@code .hist} = line - signal. After a first integer value all three are the Long 0,
 * as in Python (two integer seeds subtract to an int).
 */
public final class Macd implements StatefulFunction {
    private final Ema fast;
    private final Ema slow;
    private final Ema signal;

    public Macd(Number fast, Number slow, Number signal) {
        this.fast = new Ema(fast);
        this.slow = new Ema(slow);
        this.signal = new Ema(signal);
    }

    @Override
    public void update(Object x, long ts) {
        fast.update(x, ts);
        slow.update(x, ts);
        if (fast.integral() && slow.integral()) {
            signal.update(fast.seed() - slow.seed());
        } else {
            signal.update(fast.mean() - slow.mean());
        }
    }

    @Override
    public Object value(String member) {
        if (!"line".equals(member) && !"signal".equals(member) && !"hist".equals(member)) {
            throw new IllegalArgumentException("macd has the outputs line, signal and hist, not " + member);
        }
        if (!signal.seeded()) {
            return null;
        }
        boolean integralLine = fast.integral() && slow.integral();
        return switch (member) {
            case "line" -> integralLine
                    ? (Object) (fast.seed() - slow.seed())
                    : PythonArithmetic.finite(fast.mean() - slow.mean());
            case "signal" -> signal.value(null);
            case "hist" -> integralLine && signal.integral()
                    ? (Object) (fast.seed() - slow.seed() - signal.seed())
                    : PythonArithmetic.finite(line(integralLine) - signal.mean());
            default -> throw new AssertionError(member);
        };
    }

    /** The line as a float, the way Python's int - float or float - float sees it. */
    private double line(boolean integralLine) {
        return integralLine ? (double) (fast.seed() - slow.seed()) : fast.mean() - slow.mean();
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        fast.writeTo(out);
        slow.writeTo(out);
        signal.writeTo(out);
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        fast.readFrom(in);
        slow.readFrom(in);
        signal.readFrom(in);
    }
}
