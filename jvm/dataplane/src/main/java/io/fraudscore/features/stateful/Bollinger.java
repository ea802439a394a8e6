package io.fraudscore.features.stateful;

import io.fraudscore.features.state.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * {@code bollinger(x, N, k)}: {@code .mid} = mean of the last N values, {@code .upper}/{@code .lower} =
 * mid ± k population standard deviations; null until N values are seen. The mean is Python's
 * {@code sum(values) / N} exactly (ints summed exactly, then floats left to right). Python squares with
 * {@code (v - mid) ** 2}, which is the C library's {@code pow} and is not always the correctly rounded
 * square (about 1 in 1500 values on glibc); here it is {@code d * d}, so upper and lower may differ from
 * Python's by an ulp or so; mid is bit for bit.
 */
public final class Bollinger implements StatefulFunction {
    private final int period;
    private final double k;
    private final Object[] values; // a ring of the last N values, as given
    private int size;
    private int oldest;
    private final PythonSum sum = new PythonSum();
    private boolean computed; // mid, upper and lower are of the current values
    private double mid;
    private double upper;
    private double lower;

    /** {@code period} is N (at least 1), {@code k} any positive number. */
    public Bollinger(Number period, Number k) {
        this.period = Math.toIntExact(period.longValue());
        this.k = k.doubleValue(); // Python's int * float rounds the int to the nearest double, as this does
        this.values = new Object[this.period];
    }

    @Override
    public void update(Object x, long ts) {
        PythonArithmetic.checkNumber(x);
        if (size < period) {
            values[(oldest + size++) % period] = x;
        } else {
            values[oldest] = x;
            oldest = (oldest + 1) % period;
        }
        computed = false;
    }

    @Override
    public Object value(String member) {
        if (!"mid".equals(member) && !"upper".equals(member) && !"lower".equals(member)) {
            throw new IllegalArgumentException("bollinger has the outputs mid, upper and lower, not " + member);
        }
        if (size < period) {
            return null;
        }
        if (!computed) {
            compute();
        }
        return switch (member) {
            case "mid" -> PythonArithmetic.finite(mid);
            case "upper" -> PythonArithmetic.finite(upper);
            case "lower" -> PythonArithmetic.finite(lower);
            default -> throw new AssertionError(member);
        };
    }

    private void compute() {
        sum.clear();
        for (int i = 0; i < period; i++) {
            sum.add(values[(oldest + i) % period]);
        }
        mid = sum.divide(period);
        double squares = 0.0; // Python's sum starts from the int 0, which adds like 0.0 to a square
        for (int i = 0; i < period; i++) {
            double d = PythonArithmetic.asDouble(values[(oldest + i) % period]) - mid;
            squares += d * d;
        }
        double std = Math.sqrt(squares / period);
        upper = mid + k * std;
        lower = mid - k * std;
        computed = true;
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        ValueCodec.writeCount(out, size);
        for (int i = 0; i < size; i++) {
            ValueCodec.write(out, values[(oldest + i) % period]);
        }
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        int saved = ValueCodec.readCount(in);
        if (saved > period) {
            throw new IOException("bollinger state holds " + saved + " values, more than its period " + period);
        }
        oldest = 0;
        size = saved;
        for (int i = 0; i < saved; i++) {
            values[i] = ValueCodec.read(in);
        }
        computed = false;
    }
}
