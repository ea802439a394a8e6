package io.fraudscore.features.stateful;

import io.fraudscore.features.value.Exact;

import io.fraudscore.features.state.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigInteger;

/**
 * {@code ewma(x, half_life=D)}: the time-decayed mean of DSL.md, state (m, w, t); first value (x, 1, ts),
 * then {@code d = 0.5 ** (max(0, ts - t) / D)}, {@code w' = w*d + 1}, {@code m' = (m*w*d + x) / w'},
 * {@code t' = max(t, ts)}. The decay is {@link Math#pow}, which may differ from the C library's
 * {@code pow} that Python calls by an ulp; everything else is the same float arithmetic in the same order.
 */
public final class Ewma implements StatefulFunction {
    private final long halfLifeMs;   // the plan's half-life when it is a whole number of millis
    private final double halfLife;   // otherwise
    private final boolean integralHalfLife;
    private boolean seeded;
    private boolean integral; // the mean is still the integer first value
    private long seed;
    private double mean;
    private double weight;
    private long ts;

    public Ewma(Number halfLife) {
        integralHalfLife = !(halfLife instanceof Double);
        this.halfLifeMs = halfLife.longValue();
        this.halfLife = halfLife.doubleValue();
    }

    @Override
    public void update(Object x, long ts) {
        PythonArithmetic.checkNumber(x);
        if (!seeded) {
            seeded = true;
            integral = x instanceof Long;
            if (x instanceof Long l) {
                seed = l;
            } else {
                mean = (Double) x;
            }
            weight = 1.0;
            this.ts = ts;
            return;
        }
        double decay = Math.pow(0.5, exponent(ts));
        double w = weight * decay + 1;
        mean = ((integral ? (double) seed : mean) * weight * decay + PythonArithmetic.asDouble(x)) / w;
        integral = false;
        weight = w;
        this.ts = Math.max(this.ts, ts);
    }

    /** {@code max(0, ts - t) / D} with Python's int arithmetic: exact difference, one rounding. */
    private double exponent(long now) {
        long elapsed = now - ts;
        boolean overflow = ((now ^ ts) & (now ^ elapsed)) < 0;
        if (overflow) {
            BigInteger exact = BigInteger.valueOf(now).subtract(BigInteger.valueOf(ts));
            if (exact.signum() <= 0) {
                return 0.0;
            }
            return integralHalfLife
                    ? Exact.divide(exact, BigInteger.valueOf(halfLifeMs))
                    : exact.doubleValue() / halfLife;
        }
        if (elapsed <= 0) {
            elapsed = 0;
        }
        return integralHalfLife ? Exact.divide(elapsed, halfLifeMs) : (double) elapsed / halfLife;
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
        if (seeded) {
            out.writeDouble(weight);
            ValueCodec.writeLong(out, ts);
        }
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
        if (seeded) {
            weight = in.readDouble();
            ts = ValueCodec.readLong(in);
        }
    }
}
