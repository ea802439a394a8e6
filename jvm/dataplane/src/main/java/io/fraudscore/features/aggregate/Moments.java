package io.fraudscore.features.aggregate;

import io.fraudscore.features.state.ValueCodec;
import io.fraudscore.features.value.Numbers;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigInteger;

/**
 * count, sum, avg, var, stddev and zscore over a window, bit for bit as Python's {@code Moments}
 * (dsl/accumulators.py): the number of values n and, in units of 2^-k (k the finest binary place any value
 * has needed), their exact sum s and sum of squares q (q in units of 2^-2k). Adding and removing never
 * drifts, and each result is the correctly rounded quotient of exact integers, whatever the order of events.
 *
 * <p>s and q live in primitive longs (s in 128 bits, q in 192) while they fit with a bit to spare, which
 * covers amounts such as 12.34 or 0.01 up to about 10^10 and any 64-bit integers; past that, or for a very
 * fine k (values near 1e-300), they move to BigInteger, and back once removals shrink them.
 */
public final class Moments implements Accumulator {
    private static final long FRACTION = (1L << 52) - 1;
    private static final long IMPLICIT = 1L << 52;
    /** The largest n whose n² is a divisor {@link Rounding} takes in longs. */
    private static final long MAX_SQUARED = (long) Math.sqrt((double) Rounding.MAX_DIVISOR);
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    /** What {@link #narrowResult} answers when the longs cannot give the result: take the BigInteger path. */
    private static final Object WIDE = new Object();

    private final boolean sums;
    private final boolean squares;
    /** Always BigInteger: the reference the tests hold the long path to. */
    private final boolean wideOnly;
    private long n;
    private int k;
    // s in two's complement, in [-2^126, 2^126): any two add without overflowing 128 bits.
    private long s1;
    private long s0;
    // q likewise, in [-2^190, 2^190).
    private long q2;
    private long q1;
    private long q0;
    // Non-null (both) when s and q are held here instead.
    private BigInteger bigS;
    private BigInteger bigQ;

    /**
     * Python's {@code Moments(sums, squares)}: without sums only the count is kept; squares (for var,
     * stddev, zscore) imply sums.
     */
    public Moments(boolean sums, boolean squares) {
        this(sums, squares, false);
    }

    Moments(boolean sums, boolean squares, boolean wideOnly) {
        this.sums = sums || squares;
        this.squares = squares;
        this.wideOnly = wideOnly;
        if (wideOnly) {
            bigS = BigInteger.ZERO;
            bigQ = BigInteger.ZERO;
        }
    }

    @Override
    public void add(long seq, Object x) {
        n++;
        if (sums) {
            accumulate(x, false);
        }
    }

    @Override
    public void remove(long seq, Object x) {
        n--;
        if (sums) {
            accumulate(x, true);
        }
    }

    @Override
    public boolean orderFree() {
        return true;
    }

    /** Adds another summary's values or, with {@code sign} -1, takes them away (tiled windows). */
    public void merge(Moments other, int sign) {
        if (sign != 1 && sign != -1) {
            throw new IllegalArgumentException("sign is 1 or -1, not " + sign);
        }
        if (other.k > k && (bigS != null || !grow(other.k))) {
            widen();
            growWide(other.k);
        }
        int shift = k - other.k;
        n += sign * other.n;
        if (bigS == null && other.bigS == null && mergeNarrow(other, sign, shift)) {
            return;
        }
        widen();
        BigInteger s = other.wideS().shiftLeft(shift);
        BigInteger q = other.wideQ().shiftLeft(2 * shift);
        bigS = sign > 0 ? bigS.add(s) : bigS.subtract(s);
        bigQ = sign > 0 ? bigQ.add(q) : bigQ.subtract(q);
        narrow();
    }

    @Override
    public Object result(AggregateFunction function, Object current, boolean include) {
        boolean plus = include && current != null;
        if (function == AggregateFunction.COUNT) {
            return plus ? n + 1 : n;
        }
        if (bigS == null) {
            Object answer;
            if (plus && sums) {
                // Add the current value in place, answer, and put every field back as it was.
                int k0 = k;
                long a1 = s1;
                long a0 = s0;
                long b2 = q2;
                long b1 = q1;
                long b0 = q0;
                answer = addNarrow(current, false) ? narrowResult(function, current, n + 1) : WIDE;
                k = k0;
                s1 = a1;
                s0 = a0;
                q2 = b2;
                q1 = b1;
                q0 = b0;
            } else {
                answer = narrowResult(function, current, plus ? n + 1 : n);
            }
            if (answer != WIDE) {
                return answer;
            }
        }
        return wideResult(function, current, plus);
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        ValueCodec.writeLong(out, n);
        ValueCodec.writeCount(out, k);
        ValueCodec.writeInteger(out, wideS());
        ValueCodec.writeInteger(out, wideQ());
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        n = ValueCodec.readLong(in);
        k = ValueCodec.readCount(in);
        bigS = ValueCodec.readInteger(in);
        bigQ = ValueCodec.readInteger(in);
        narrow();
    }

    // ---- adding and removing ----

    private void accumulate(Object x, boolean subtract) {
        if (bigS == null) {
            if (addNarrow(x, subtract)) {
                return;
            }
            widen();
        }
        addWide(x, subtract);
        if (subtract) {
            narrow();
        }
    }

    /**
     * s ± units, q ± units² in the longs, where units = x · 2^k. False, with s and q unchanged (k may have
     * grown, s and q with it), when a result would leave the longs' range.
     */
    private boolean addNarrow(Object x, boolean subtract) {
        long m; // x = m · 2^e, m odd: the numerator of as_integer_ratio, or its odd part for an integer
        int e;
        if (x instanceof Double d) {
            long bits = Double.doubleToRawLongBits(d);
            long fraction = bits & FRACTION;
            int biased = (int) (bits >>> 52) & 0x7FF;
            if (biased == 0) {
                if (fraction == 0) {
                    return true; // ±0.0: (0, 1), nothing to add
                }
                m = fraction;
                e = -1074;
            } else {
                m = fraction | IMPLICIT;
                e = biased - 1075;
            }
            int zeros = Long.numberOfTrailingZeros(m);
            m >>>= zeros;
            e += zeros;
            if (bits < 0) {
                m = -m;
            }
        } else {
            m = integer(x);
            if (m == 0) {
                return true;
            }
            int zeros = Long.numberOfTrailingZeros(m);
            m >>= zeros; // Long.MIN_VALUE becomes -1 · 2^63
            e = zeros;
        }
        if (-e > k && !grow(-e)) {
            return false;
        }
        int t = e + k; // units = m · 2^t
        long magnitude = Math.abs(m);
        int length = 64 - Long.numberOfLeadingZeros(magnitude) + t;
        // units < 2^126 keeps s in range; units < 2^95 keeps units² < 2^190.
        if (length > (squares ? 95 : 126)) {
            return false;
        }
        long v = subtract ? -m : m;
        long lo;
        long hi;
        if (t < 64) {
            lo = v << t;
            hi = v >> 1 >> (63 - t); // v >> (64 - t), also for t = 0
        } else {
            lo = 0;
            hi = v << (t - 64);
        }
        long r0 = s0 + lo;
        long r1 = s1 + hi + (Long.compareUnsigned(r0, s0) < 0 ? 1 : 0);
        if ((r1 >> 62) != (r1 >> 63)) {
            return false;
        }
        if (squares) {
            long low = magnitude * magnitude;
            long high = Math.multiplyHigh(magnitude, magnitude);
            int u = 2 * t; // units² = high:low · 2^u, below 2^190
            long c0;
            long c1;
            long c2;
            if (u < 64) {
                c0 = low << u;
                c1 = high << u | low >>> 1 >>> (63 - u);
                c2 = high >>> 1 >>> (63 - u);
            } else if (u < 128) {
                c0 = 0;
                c1 = low << (u - 64);
                c2 = high << (u - 64) | low >>> 1 >>> (127 - u);
            } else {
                c0 = 0;
                c1 = 0;
                c2 = low << (u - 128);
            }
            long b0;
            long b1;
            long b2;
            if (subtract) {
                b0 = q0 - c0;
                long borrow = Long.compareUnsigned(q0, c0) < 0 ? 1 : 0;
                long t1 = q1 - c1;
                long borrow1 = Long.compareUnsigned(q1, c1) < 0 ? 1 : 0;
                b1 = t1 - borrow;
                borrow1 |= Long.compareUnsigned(t1, borrow) < 0 ? 1 : 0;
                b2 = q2 - c2 - borrow1;
            } else {
                b0 = q0 + c0;
                long carry = Long.compareUnsigned(b0, q0) < 0 ? 1 : 0;
                long t1 = q1 + c1;
                long carry1 = Long.compareUnsigned(t1, q1) < 0 ? 1 : 0;
                b1 = t1 + carry;
                carry1 |= Long.compareUnsigned(b1, t1) < 0 ? 1 : 0;
                b2 = q2 + c2 + carry1;
            }
            if ((b2 >> 62) != (b2 >> 63)) {
                return false;
            }
            q2 = b2;
            q1 = b1;
            q0 = b0;
        }
        s1 = r1;
        s0 = r0;
        return true;
    }

    /** k grows to {@code places}, s and q with it (Python's {@code s <<= finer}); false if they would not fit. */
    private boolean grow(int places) {
        int finer = places - k;
        if ((s1 | s0 | q2 | q1 | q0) != 0) {
            if (bitLength(s1 >> 63, s1, s0) + finer > 126 || bitLength(q2, q1, q0) + 2 * finer > 190) {
                return false;
            }
            long sign = s1 >> 63;
            long a1 = shifted(sign, s1, s0, finer, 1);
            long a0 = shifted(sign, s1, s0, finer, 0);
            long b2 = shifted(q2, q1, q0, 2 * finer, 2);
            long b1 = shifted(q2, q1, q0, 2 * finer, 1);
            long b0 = shifted(q2, q1, q0, 2 * finer, 0);
            s1 = a1;
            s0 = a0;
            q2 = b2;
            q1 = b1;
            q0 = b0;
        }
        k = places;
        return true;
    }

    private boolean mergeNarrow(Moments other, int sign, int shift) {
        long os1 = other.s1;
        long os0 = other.s0;
        long oq2 = other.q2;
        long oq1 = other.q1;
        long oq0 = other.q0;
        if (bitLength(os1 >> 63, os1, os0) + shift > 126 || bitLength(oq2, oq1, oq0) + 2 * shift > 190) {
            return false;
        }
        long a1 = shifted(os1 >> 63, os1, os0, shift, 1);
        long a0 = shifted(os1 >> 63, os1, os0, shift, 0);
        long c2 = shifted(oq2, oq1, oq0, 2 * shift, 2);
        long c1 = shifted(oq2, oq1, oq0, 2 * shift, 1);
        long c0 = shifted(oq2, oq1, oq0, 2 * shift, 0);
        if (sign < 0) { // two's complement negation: both stay within 2^126 and 2^190 of zero
            a1 = ~a1 + (a0 == 0 ? 1 : 0);
            a0 = -a0;
            c2 = ~c2 + (c0 == 0 && c1 == 0 ? 1 : 0);
            c1 = ~c1 + (c0 == 0 ? 1 : 0);
            c0 = -c0;
        }
        long r0 = s0 + a0;
        long r1 = s1 + a1 + (Long.compareUnsigned(r0, s0) < 0 ? 1 : 0);
        long b0 = q0 + c0;
        long carry = Long.compareUnsigned(b0, q0) < 0 ? 1 : 0;
        long t1 = q1 + c1;
        long carry1 = (Long.compareUnsigned(t1, q1) < 0 ? 1 : 0);
        long b1 = t1 + carry;
        carry1 |= Long.compareUnsigned(b1, t1) < 0 ? 1 : 0;
        long b2 = q2 + c2 + carry1;
        if ((r1 >> 62) != (r1 >> 63) || (b2 >> 62) != (b2 >> 63)) {
            return false;
        }
        s1 = r1;
        s0 = r0;
        q2 = b2;
        q1 = b1;
        q0 = b0;
        return true;
    }

    private void addWide(Object x, boolean subtract) {
        BigInteger numerator;
        int places;
        if (x instanceof Double d) {
            double v = d;
            long bits = Double.doubleToRawLongBits(v);
            long fraction = bits & FRACTION;
            int biased = (int) (bits >>> 52) & 0x7FF;
            long m = biased == 0 ? fraction : fraction | IMPLICIT;
            int e = biased == 0 ? -1074 : biased - 1075;
            if (m == 0) {
                return;
            }
            int zeros = Long.numberOfTrailingZeros(m);
            m >>>= zeros;
            e += zeros;
            numerator = BigInteger.valueOf(bits < 0 ? -m : m);
            if (e >= 0) {
                numerator = numerator.shiftLeft(e);
                places = 0;
            } else {
                places = -e;
            }
        } else {
            numerator = BigInteger.valueOf(integer(x));
            places = 0;
        }
        BigInteger units;
        if (places > k) {
            growWide(places);
            units = numerator;
        } else {
            units = numerator.shiftLeft(k - places);
        }
        bigS = subtract ? bigS.subtract(units) : bigS.add(units);
        if (squares) {
            BigInteger square = units.multiply(units);
            bigQ = subtract ? bigQ.subtract(square) : bigQ.add(square);
        }
    }

    private void growWide(int places) {
        int finer = places - k;
        bigS = bigS.shiftLeft(finer);
        bigQ = bigQ.shiftLeft(2 * finer);
        k = places;
    }

    /** Moves s and q from the longs to BigInteger (no change once there). */
    private void widen() {
        if (bigS == null) {
            bigS = wideS();
            bigQ = wideQ();
            s1 = s0 = q2 = q1 = q0 = 0;
        }
    }

    /** Moves s and q back to the longs when they fit there again. */
    private void narrow() {
        if (!wideOnly && bigS != null && bigS.bitLength() <= 126 && bigQ.bitLength() <= 190) {
            s0 = bigS.longValue();
            s1 = bigS.shiftRight(64).longValue();
            q0 = bigQ.longValue();
            q1 = bigQ.shiftRight(64).longValue();
            q2 = bigQ.shiftRight(128).longValue();
            bigS = null;
            bigQ = null;
        }
    }

    private BigInteger wideS() {
        return bigS != null ? bigS : BigInteger.valueOf(s1).shiftLeft(64).add(unsigned(s0));
    }

    private BigInteger wideQ() {
        return bigQ != null ? bigQ
                : BigInteger.valueOf(q2).shiftLeft(128).add(unsigned(q1).shiftLeft(64)).add(unsigned(q0));
    }

    // ---- results ----

    /** Python's {@code _moments} from the longs, or WIDE where they cannot give it. */
    private Object narrowResult(AggregateFunction function, Object current, long count) {
        if (count == 0) {
            return function == AggregateFunction.SUM ? (Object) 0L : null;
        }
        boolean negative = s1 < 0;
        long a1 = s1;
        long a0 = s0;
        if (negative) {
            a1 = ~s1 + (s0 == 0 ? 1 : 0);
            a0 = -s0;
        }
        switch (function) {
            case SUM:
                return finite(Rounding.divide(0, 0, a1, a0, negative, 1, -k));
            case AVG:
                return count > Rounding.MAX_DIVISOR ? WIDE : finite(Rounding.divide(0, 0, a1, a0, negative, count, -k));
            case VAR:
            case STDDEV:
            case ZSCORE:
                break;
            default:
                throw new IllegalArgumentException("moments do not answer " + function);
        }
        if (count > MAX_SQUARED || q2 < 0) {
            return WIDE;
        }
        // p = count · q: count < 2^24, q < 2^190.
        long p0 = count * q0;
        long h0 = unsignedMultiplyHigh(count, q0);
        long l1 = count * q1;
        long h1 = unsignedMultiplyHigh(count, q1);
        long l2 = count * q2;
        long h2 = Math.multiplyHigh(count, q2);
        long p1 = l1 + h0;
        long carry = Long.compareUnsigned(p1, l1) < 0 ? 1 : 0;
        long p2a = l2 + h1;
        long carry2 = Long.compareUnsigned(p2a, l2) < 0 ? 1 : 0;
        long p2 = p2a + carry;
        carry2 += Long.compareUnsigned(p2, p2a) < 0 ? 1 : 0;
        long p3 = h2 + carry2;
        // t = s²: |s| <= 2^126, so 2 · a0 · a1 < 2^127.
        long t0 = a0 * a0;
        long x1 = unsignedMultiplyHigh(a0, a0);
        long m0 = a0 * a1;
        long m1 = unsignedMultiplyHigh(a0, a1);
        long d0 = m0 << 1;
        long d1 = (m1 << 1) | (m0 >>> 63);
        long y0 = a1 * a1;
        long y1 = Math.multiplyHigh(a1, a1);
        long t1 = x1 + d0;
        long c1 = Long.compareUnsigned(t1, x1) < 0 ? 1 : 0;
        long t2a = y0 + d1;
        long c2 = Long.compareUnsigned(t2a, y0) < 0 ? 1 : 0;
        long t2 = t2a + c1;
        c2 += Long.compareUnsigned(t2, t2a) < 0 ? 1 : 0;
        long t3 = y1 + c2;
        // spread = p - t = n² · 2^2k · variance.
        long z0 = p0 - t0;
        long borrow = Long.compareUnsigned(p0, t0) < 0 ? 1 : 0;
        long z1a = p1 - t1;
        long borrow1 = Long.compareUnsigned(p1, t1) < 0 ? 1 : 0;
        long z1 = z1a - borrow;
        borrow1 |= Long.compareUnsigned(z1a, borrow) < 0 ? 1 : 0;
        long z2a = p2 - t2;
        long borrow2 = Long.compareUnsigned(p2, t2) < 0 ? 1 : 0;
        long z2 = z2a - borrow1;
        borrow2 |= Long.compareUnsigned(z2a, borrow1) < 0 ? 1 : 0;
        long z3 = p3 - t3 - borrow2;
        if (z3 < 0) {
            return WIDE; // a negative spread: only from inconsistent merges; Python's arithmetic decides
        }
        double variance = Rounding.divide(z3, z2, z1, z0, false, count * count, -2 * k);
        if (Double.isInfinite(variance)) {
            return null;
        }
        if (function == AggregateFunction.VAR) {
            return variance;
        }
        double std;
        if (variance > 1e-290) {
            std = Math.sqrt(variance);
        } else if ((z3 | z2 | z1 | z0) == 0) {
            std = 0.0;
        } else {
            return WIDE; // the isqrt path
        }
        if (function == AggregateFunction.STDDEV) {
            return std;
        }
        double mean = Rounding.divide(0, 0, a1, a0, negative, count, -k);
        return zscore(current, Double.isInfinite(mean) ? null : mean, std);
    }

    /** Python's {@code result} on BigInteger, statement for statement. */
    private Object wideResult(AggregateFunction function, Object current, boolean plus) {
        long count = n;
        int places = k;
        BigInteger s = wideS();
        BigInteger q = wideQ();
        if (plus && sums) {
            Moments one = new Moments(true, true, true);
            one.add(0, current);
            if (one.k > places) {
                s = s.shiftLeft(one.k - places);
                q = q.shiftLeft(2 * (one.k - places));
                places = one.k;
            }
            BigInteger units = one.bigS.shiftLeft(places - one.k);
            count++;
            s = s.add(units);
            q = q.add(units.multiply(units));
        } else if (plus) {
            count++;
        }
        return moments(function, current, count, s, q, places);
    }

    private static Object moments(AggregateFunction function, Object current, long n, BigInteger s, BigInteger q,
                                  int k) {
        if (n == 0) {
            return function == AggregateFunction.SUM ? (Object) 0L : null;
        }
        BigInteger count = BigInteger.valueOf(n);
        switch (function) {
            case SUM:
                return finite(Rounding.divide(s, BigInteger.ONE, -k));
            case AVG:
                return finite(Rounding.divide(s, count, -k));
            case VAR:
            case STDDEV:
            case ZSCORE:
                break;
            default:
                throw new IllegalArgumentException("moments do not answer " + function);
        }
        BigInteger spread = count.multiply(q).subtract(s.multiply(s));
        Double variance = finite(Rounding.divide(spread, count.multiply(count), -2 * k));
        if (function == AggregateFunction.VAR || variance == null) {
            return variance;
        }
        Double std = variance > 1e-290 ? Double.valueOf(Math.sqrt(variance))
                // Near the bottom of the float range: the sqrt of the exact value, so it does not underflow.
                : finite(Rounding.divide(spread.shiftLeft(128).sqrt(), count, -(k + 64)));
        if (function == AggregateFunction.STDDEV) {
            return std;
        }
        return zscore(current, finite(Rounding.divide(s, count, -k)), std == null ? 0.0 : std);
    }

    private static Object zscore(Object current, Double mean, double std) {
        if (current == null || std == 0 || mean == null) {
            return null;
        }
        double z = (Numbers.toDouble(current) - mean) / std;
        return Double.isFinite(z) ? z : null;
    }

    // ---- arithmetic ----

    private static Double finite(double x) {
        return Double.isInfinite(x) ? null : x;
    }

    private static long integer(Object x) {
        if (x instanceof Long l) {
            return l;
        }
        if (x instanceof Boolean b) {
            return b ? 1 : 0; // Python's bool is an int
        }
        throw new IllegalArgumentException("sum, avg, var, stddev and zscore take numbers, not "
                + (x == null ? "null" : x.getClass().getSimpleName()));
    }

    /** Limb {@code i} (0 the lowest) of the 192-bit two's complement {@code x2:x1:x0} shifted left by u. */
    private static long shifted(long x2, long x1, long x0, int u, int i) {
        int from = 64 * i - u; // the bit of x that lands on the limb's lowest bit
        if (from <= -64) {
            return 0;
        }
        if (from < 0) {
            return x0 << -from;
        }
        int j = from >>> 6;
        int offset = from & 63;
        long word = limb(x2, x1, x0, j) >>> offset;
        return offset == 0 ? word : word | limb(x2, x1, x0, j + 1) << (64 - offset);
    }

    private static long limb(long x2, long x1, long x0, int j) {
        return j == 0 ? x0 : j == 1 ? x1 : j == 2 ? x2 : x2 >> 63;
    }

    /** BigInteger's bitLength of the 192-bit two's complement {@code x2:x1:x0}. */
    private static int bitLength(long x2, long x1, long x0) {
        long sign = x2 >> 63;
        long a2 = x2 ^ sign;
        long a1 = x1 ^ sign;
        long a0 = x0 ^ sign;
        return a2 != 0 ? 192 - Long.numberOfLeadingZeros(a2)
                : a1 != 0 ? 128 - Long.numberOfLeadingZeros(a1)
                : 64 - Long.numberOfLeadingZeros(a0);
    }

    private static long unsignedMultiplyHigh(long x, long y) {
        return Math.multiplyHigh(x, y) + ((x >> 63) & y) + ((y >> 63) & x);
    }

    private static BigInteger unsigned(long x) {
        BigInteger v = BigInteger.valueOf(x);
        return x < 0 ? v.add(TWO_64) : v;
    }
}
