package io.fraudscore.features.stateful;

import io.fraudscore.features.value.Exact;

import io.fraudscore.features.state.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigInteger;

/**
 * Python 3.11's built-in {@code sum} of ints and floats, from 0, left to right: the leading ints add up
 * exactly (past the long range if need be), the first float turns the total into the nearest double, and
 * from then on every addition is a float addition. Mutable and reusable, so a sum costs no allocation.
 */
final class PythonSum {
    private boolean real;
    private double total;
    private long whole;
    private BigInteger big; // the exact integer total once it leaves the long range; usually null

    void clear() {
        real = false;
        total = 0.0;
        whole = 0L;
        big = null;
    }

    void add(Object x) {
        if (x instanceof Long l) {
            add(l.longValue());
        } else {
            add(((Double) x).doubleValue());
        }
    }

    void add(long x) {
        if (real) {
            total += (double) x;
        } else if (big != null) {
            big = big.add(BigInteger.valueOf(x));
        } else {
            long sum = whole + x;
            if (((whole ^ sum) & (x ^ sum)) < 0) {
                big = BigInteger.valueOf(whole).add(BigInteger.valueOf(x));
            } else {
                whole = sum;
            }
        }
    }

    void add(BigInteger x) {
        if (real) {
            total += x.doubleValue();
        } else {
            big = (big != null ? big : BigInteger.valueOf(whole)).add(x);
        }
    }

    void add(double x) {
        if (!real) {
            total = (big != null ? big.doubleValue() : (double) whole) + x;
            real = true;
            big = null;
        } else {
            total += x;
        }
    }

    /** The total divided by a positive int, as Python's {@code /} would. */
    double divide(long divisor) {
        if (real) {
            return total / (double) divisor;
        }
        if (big != null) {
            return Exact.divide(big, BigInteger.valueOf(divisor));
        }
        return Exact.divide(whole, divisor);
    }

    void writeTo(DataOutput out) throws IOException {
        if (real) {
            out.writeByte(2);
            out.writeDouble(total);
        } else if (big != null) {
            out.writeByte(1);
            ValueCodec.writeInteger(out, big);
        } else {
            out.writeByte(0);
            ValueCodec.writeLong(out, whole);
        }
    }

    void readFrom(DataInput in) throws IOException {
        clear();
        byte kind = in.readByte();
        switch (kind) {
            case 0 -> whole = ValueCodec.readLong(in);
            case 1 -> big = ValueCodec.readInteger(in);
            case 2 -> {
                real = true;
                total = in.readDouble();
            }
            default -> throw new IOException("bad sum kind " + kind);
        }
    }
}
