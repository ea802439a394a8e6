package io.fraudscore.features.stateful;

import io.fraudscore.features.state.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigInteger;

/**
 * {@code rsi(x, N)}: Wilder's RSI over N changes; null until N changes are seen. The first averages are
 * Python's {@code sum(...) / N} of the first N gains and losses (an int change stays an int, so the sum
 * of integer gains is exact), then {@code avg = (avg*(N-1) + g) / N}. Only + - * /: bit for bit Python's.
 */
public final class Rsi implements StatefulFunction {
    private final long period;
    private Object last;
    private int changes;      // changes seen while the first averages are being summed
    private boolean averaged; // the first N changes have been seen
    private final PythonSum gains = new PythonSum();
    private final PythonSum losses = new PythonSum();
    private double avgGain;
    private double avgLoss;

    public Rsi(Number period) {
        this.period = period.longValue();
    }

    @Override
    public void update(Object x, long ts) {
        PythonArithmetic.checkNumber(x);
        if (last != null) {
            if (x instanceof Long l && last instanceof Long p) {
                addChange(l, p);
            } else {
                addChange(PythonArithmetic.asDouble(x) - PythonArithmetic.asDouble(last));
            }
        }
        last = x;
    }

    /** A change between two ints: an int, exact (past the long range if need be). */
    private void addChange(long x, long previous) {
        long change = x - previous;
        if (((x ^ previous) & (x ^ change)) < 0 || change == Long.MIN_VALUE) {
            addChange(BigInteger.valueOf(x).subtract(BigInteger.valueOf(previous)));
            return;
        }
        // max(change, 0.0) keeps the int when it is not below 0.0; likewise max(-change, 0.0).
        if (!averaged) {
            if (change >= 0) {
                gains.add(change);
            } else {
                gains.add(0.0);
            }
            if (change <= 0) {
                losses.add(-change);
            } else {
                losses.add(0.0);
            }
            countChange();
        } else {
            smooth(change >= 0 ? (double) change : 0.0, change <= 0 ? (double) -change : 0.0);
        }
    }

    private void addChange(BigInteger change) {
        int sign = change.signum();
        if (!averaged) {
            if (sign >= 0) {
                gains.add(change);
            } else {
                gains.add(0.0);
            }
            if (sign <= 0) {
                losses.add(change.negate());
            } else {
                losses.add(0.0);
            }
            countChange();
        } else {
            smooth(sign >= 0 ? change.doubleValue() : 0.0, sign <= 0 ? change.negate().doubleValue() : 0.0);
        }
    }

    private void addChange(double change) {
        double gain = 0.0 > change ? 0.0 : change;
        double loss = 0.0 > -change ? 0.0 : -change; // -0.0 for no change, as Python's max(-0.0, 0.0)
        if (!averaged) {
            gains.add(gain);
            losses.add(loss);
            countChange();
        } else {
            smooth(gain, loss);
        }
    }

    private void countChange() {
        if (++changes == period) {
            avgGain = gains.divide(period);
            avgLoss = losses.divide(period);
            averaged = true;
            gains.clear();
            losses.clear();
        }
    }

    private void smooth(double gain, double loss) {
        avgGain = (avgGain * (double) (period - 1) + gain) / (double) period;
        avgLoss = (avgLoss * (double) (period - 1) + loss) / (double) period;
    }

    @Override
    public Object value(String member) {
        if (!averaged) {
            return null;
        }
        if (avgLoss == 0) {
            return avgGain == 0 ? 50.0 : 100.0;
        }
        return PythonArithmetic.finite(100.0 - 100.0 / (1.0 + avgGain / avgLoss));
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        ValueCodec.write(out, last);
        out.writeBoolean(averaged);
        if (averaged) {
            out.writeDouble(avgGain);
            out.writeDouble(avgLoss);
        } else {
            ValueCodec.writeCount(out, changes);
            gains.writeTo(out);
            losses.writeTo(out);
        }
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        last = ValueCodec.read(in);
        averaged = in.readBoolean();
        if (averaged) {
            avgGain = in.readDouble();
            avgLoss = in.readDouble();
        } else {
            changes = ValueCodec.readCount(in);
            gains.readFrom(in);
            losses.readFrom(in);
        }
    }
}
